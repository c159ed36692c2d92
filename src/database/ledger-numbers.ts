import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import type { Client as PgClient } from 'pg';
import { isPostgres, RawSql, rawSql } from './raw-sql';

/** Adds `count` to a ledger's last number (making its row on first use) and returns the new last number. */
const DRAW = `insert into ledger_number (ledger_id, last_number) values (?, ?)
  on conflict (ledger_id) do update set last_number = ledger_number.last_number + excluded.last_number
  returning last_number`;
/** Gives numbers back when nobody drew after them, so a duplicate leaves no gap in a quiet ledger. */
const GIVE_BACK = `update ledger_number set last_number = last_number - ? where ledger_id = ? and last_number = ?`;

/** The numbers a write was handed, as the write sees them. */
export interface DrawnNumbers {
  /** The first of them, in the write's transaction `tx`. */
  first(tx: RawSql): Promise<number>;
  /** How many the write used, counted from the first (all, when it does not say); the rest are given back in `tx`. */
  keep(tx: RawSql, used: number): Promise<void>;
}

/** For a write that needs no number (an import batch of rejected rows only). */
const NONE: DrawnNumbers = {
  first: () => Promise.reject(new Error('no numbers were drawn')),
  keep: async () => undefined,
};

interface Draw {
  ledgerId: number;
  count: number;
  resolve(last: number): void;
  reject(error: unknown): void;
}

/**
 * The short numbers of a ledger's expenses (#12 in the chat): unique and
 * increasing per ledger, not gapless (a write that fails after drawing
 * leaves a gap).
 *
 * SQLite has one writer, so a number is drawn inside the writing transaction.
 *
 * On PostgreSQL a number drawn inside the write's transaction would hold the
 * ledger's counter row until that transaction's COMMIT, past its fsync: two
 * instances writing to the same ledgers then wait for each other's commits
 * (and, taking the rows in different orders, deadlock). So numbers are
 * drawn in a transaction of their own, on a connection of their own (not
 * the pool's, which the writers waiting for a number may hold), committed
 * without waiting for the WAL flush: the draw holds the row for one round
 * trip. That is safe because a number matters only once an expense that
 * uses it commits, and that COMMIT flushes the WAL past the draw's. Draws
 * that arrive while one is on its way go together in the next round trip,
 * one statement per ledger in ledger order, so draws never deadlock either.
 */
@Injectable()
export class LedgerNumbers implements OnApplicationShutdown {
  private pending: Draw[] = [];
  private drawing = false;
  private connection?: Promise<PgClient>;

  constructor(private readonly em: EntityManager) {}

  /**
   * Runs `write` (which makes its own transaction, or joins the batcher's)
   * with `count` numbers of the ledger. On SQLite they are drawn inside it;
   * on PostgreSQL before it, so that concurrent draws go together, and given
   * back after it, all of them when it failed.
   */
  async withNumbers<T>(ledgerId: number, count: number, write: (numbers: DrawnNumbers) => Promise<T>): Promise<T> {
    if (count === 0) return write(NONE);
    if (!isPostgres(this.em)) return write(this.drawnInTransaction(ledgerId, count));
    const first = await this.drawOutside(ledgerId, count);
    let used = count;
    const numbers: DrawnNumbers = { first: async () => first, keep: async (_tx, kept) => void (used = kept) };
    try {
      const value = await write(numbers);
      await this.giveBackOutside(ledgerId, first + used, count - used);
      return value;
    } catch (error) {
      await this.giveBackOutside(ledgerId, first, count);
      throw error;
    }
  }

  /** SQLite: the draw and the give-back are statements of the write's own transaction. */
  private drawnInTransaction(ledgerId: number, count: number): DrawnNumbers {
    let first: number | undefined;
    return {
      first: async (tx) => {
        if (first === undefined) {
          const row = await tx.get<{ last_number: number }>(DRAW, ledgerId, count);
          first = Number(row!.last_number) - count + 1;
        }
        return first;
      },
      keep: async (tx, used) => {
        if (first !== undefined && used < count) await tx.run(GIVE_BACK, count - used, ledgerId, first + count - 1);
      },
    };
  }

  private async drawOutside(ledgerId: number, count: number): Promise<number> {
    const last = await new Promise<number>((resolve, reject) => {
      this.pending.push({ ledgerId, count, resolve, reject });
      if (!this.drawing) void this.drawAll();
    });
    return last - count + 1;
  }

  /** Best effort, in autocommit: a gap is harmless. */
  private async giveBackOutside(ledgerId: number, first: number, count: number): Promise<void> {
    if (count <= 0) return;
    await this.onOwnConnection((client) => rawSql(client).run(GIVE_BACK, count, ledgerId, first + count - 1)).catch(
      () => undefined,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.then((client) => client.end()).catch(() => undefined);
  }

  private async drawAll(): Promise<void> {
    this.drawing = true;
    try {
      while (this.pending.length > 0) {
        const draws = this.pending;
        this.pending = [];
        try {
          const lasts = await this.onOwnConnection((client) => drawTogether(client, draws));
          for (const draw of draws) draw.resolve(lasts.get(draw)!);
        } catch (error) {
          for (const draw of draws) draw.reject(error);
        }
      }
    } finally {
      this.drawing = false;
    }
  }

  /** Runs `use` on this instance's own connection, opened on first use and again after it failed. */
  private async onOwnConnection<T>(use: (client: PgClient) => Promise<T>): Promise<T> {
    const knexClient = this.em.getKnex().client as { acquireRawConnection(): Promise<PgClient> };
    this.connection ??= knexClient.acquireRawConnection();
    const connection = this.connection;
    try {
      return await use(await connection);
    } catch (error) {
      // A broken connection is not used again; a statement that merely failed costs a reconnect.
      if (this.connection === connection) this.connection = undefined;
      void connection.then((client) => client.end()).catch(() => undefined);
      throw error;
    }
  }
}

/**
 * One round trip for every waiting draw: a transaction that commits without
 * waiting for the WAL flush, one upsert per ledger in ledger order. The ids
 * and counts are checked integers, so they are written into the text (a
 * simple query may hold several statements; an extended one may not).
 */
async function drawTogether(client: PgClient, draws: Draw[]): Promise<Map<Draw, number>> {
  const byLedger = new Map<number, Draw[]>();
  for (const draw of draws) {
    if (!Number.isSafeInteger(draw.ledgerId) || !Number.isSafeInteger(draw.count) || draw.count < 1) {
      throw new Error(`bad number draw: ledger ${draw.ledgerId}, count ${draw.count}`);
    }
    byLedger.set(draw.ledgerId, [...(byLedger.get(draw.ledgerId) ?? []), draw]);
  }
  const ledgers = [...byLedger.keys()].sort((a, b) => a - b);
  const statements = ledgers.map((id) => {
    const total = byLedger.get(id)!.reduce((sum, draw) => sum + draw.count, 0);
    return `insert into ledger_number (ledger_id, last_number) values (${id}, ${total})
      on conflict (ledger_id) do update set last_number = ledger_number.last_number + excluded.last_number returning ledger_id, last_number`;
  });
  const text = ['begin', 'set local synchronous_commit = off', ...statements, 'commit'].join(';\n');
  const results = (await client.query(text)) as unknown as Array<{
    rows: Array<{ ledger_id: number; last_number: number }>;
  }>;
  const lasts = new Map<Draw, number>();
  for (const result of results) {
    for (const row of result.rows ?? []) {
      // Hand the ledger's new numbers out in the order the draws arrived.
      let last = Number(row.last_number);
      for (const draw of [...byLedger.get(Number(row.ledger_id))!].reverse()) {
        lasts.set(draw, last);
        last -= draw.count;
      }
    }
  }
  return lasts;
}
