import { Migration } from '@mikro-orm/migrations';

/**
 * CSV imports (docs/API.md §9): a job per upload, its bytes kept in chunks until
 * it is done so that it survives a restart and any instance can resume it.
 */
export class Migration20261127120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table import_job (
      id text primary key,
      ledger_id integer not null references ledger (id),
      state text not null,
      options text not null,
      source_key text null,
      telegram_file_id text null,
      chat_id bigint null,
      message_id bigint null,
      bytes_total bigint not null default 0,
      bytes_read bigint not null default 0,
      rows_read bigint not null default 0,
      recorded bigint not null default 0,
      already_present bigint not null default 0,
      rejected_count bigint not null default 0,
      rejected text not null default '[]',
      error text null,
      lease_until bigint not null default 0,
      created_at text not null,
      finished_at text null
    )`);
    this.addSql(
      `create unique index import_job_source on import_job (ledger_id, source_key) where source_key is not null`,
    );
    this.addSql(`create index import_job_pending on import_job (state, lease_until)`);
    this.addSql(`create table import_chunk (
      import_id text not null references import_job (id) on delete cascade,
      seq integer not null,
      data blob not null,
      primary key (import_id, seq)
    )`);
  }
}
