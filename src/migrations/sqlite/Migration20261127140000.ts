import { Migration } from '@mikro-orm/migrations';

/** Token management (docs/API.md §10): a label, an expiry, when it was last used, and revocation. */
export class Migration20261127140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table api_token add column label text null`);
    this.addSql(`alter table api_token add column expires_at text null`);
    this.addSql(`alter table api_token add column last_used_at text null`);
    this.addSql(`alter table api_token add column revoked_at text null`);
  }
}
