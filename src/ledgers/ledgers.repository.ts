import { Injectable } from '@nestjs/common';
import type { RawSql } from '../database/raw-sql';

export interface LedgerRow {
  id: number;
  name: string;
  currency: string;
  timezone: string;
  created_at: string;
}

/** A live token with its ledger's name, as list and revoke show it. */
export interface TokenRow {
  id: number | string;
  name: string;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

/** A token's ledger, found by the token's hash. */
export type TokenLedgerRow = LedgerRow & {
  token_id: number | string;
  expires_at: string | null;
  last_used_at: string | null;
};

const LEDGER_COLUMNS = 'id, name, currency, timezone, created_at';

/**
 * The SQL of ledgers and their API tokens. Every method runs on the
 * connection or transaction it is handed; the same SQL serves both engines.
 */
@Injectable()
export class LedgersRepository {
  /** Creates the ledger unless one has the name: the unique name decides a race. */
  async insertIfMissing(db: RawSql, name: string, currency: string, timezone: string): Promise<void> {
    await db.run(
      'insert into ledger (name, currency, timezone, created_at) values (?, ?, ?, ?) on conflict (name) do nothing',
      name,
      currency,
      timezone,
      new Date().toISOString(),
    );
  }

  byName(db: RawSql, name: string): Promise<LedgerRow | undefined> {
    return db.get<LedgerRow>(`select ${LEDGER_COLUMNS} from ledger where name = ?`, name);
  }

  byId(db: RawSql, id: number): Promise<LedgerRow | undefined> {
    return db.get<LedgerRow>(`select ${LEDGER_COLUMNS} from ledger where id = ?`, id);
  }

  /** Sets only the defaults given, so two chats changing different ones do not undo each other. */
  async setDefaults(db: RawSql, id: number, changes: { currency?: string; timezone?: string }): Promise<void> {
    const columns = (['currency', 'timezone'] as const).filter((column) => changes[column] !== undefined);
    if (columns.length === 0) return;
    await db.run(
      `update ledger set ${columns.map((column) => `${column} = ?`).join(', ')} where id = ?`,
      ...columns.map((column) => changes[column]),
      id,
    );
  }

  async insertToken(
    db: RawSql,
    token: { ledgerId: number; hash: string; createdAt: string; label: string | null; expiresAt: string | null },
  ): Promise<void> {
    await db.run(
      'insert into api_token (ledger_id, token_hash, created_at, label, expires_at) values (?, ?, ?, ?, ?)',
      token.ledgerId,
      token.hash,
      token.createdAt,
      token.label,
      token.expiresAt,
    );
  }

  /** Live (not revoked) tokens, oldest first, of one ledger and with one id when given. */
  liveTokens(db: RawSql, where: { ledgerId?: number; id?: number }): Promise<TokenRow[]> {
    const conditions = ['t.revoked_at is null'];
    const params: number[] = [];
    if (where.ledgerId !== undefined) {
      conditions.push('t.ledger_id = ?');
      params.push(where.ledgerId);
    }
    if (where.id !== undefined) {
      conditions.push('t.id = ?');
      params.push(where.id);
    }
    return db.all<TokenRow>(
      `select t.id, l.name, t.label, t.created_at, t.last_used_at, t.expires_at
       from api_token t join ledger l on l.id = t.ledger_id
       where ${conditions.join(' and ')} order by t.id`,
      ...params,
    );
  }

  async revokeToken(db: RawSql, id: number, at: string): Promise<void> {
    await db.run('update api_token set revoked_at = ? where id = ? and revoked_at is null', at, id);
  }

  /** The ledger a live token opens, with what decides whether the token still works. */
  ledgerOfToken(db: RawSql, hash: string): Promise<TokenLedgerRow | undefined> {
    return db.get<TokenLedgerRow>(
      `select l.id, l.name, l.currency, l.timezone, l.created_at, t.id as token_id, t.expires_at, t.last_used_at
       from api_token t join ledger l on l.id = t.ledger_id
       where t.token_hash = ? and t.revoked_at is null`,
      hash,
    );
  }

  async touchToken(db: RawSql, id: number | string, at: string): Promise<void> {
    await db.run('update api_token set last_used_at = ? where id = ?', at, id);
  }
}
