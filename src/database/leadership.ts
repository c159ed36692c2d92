import type { Client } from 'pg';
import { CONNECT_TIMEOUT_MS } from './orm.config';
import type { DatabaseTarget } from './database-target';

/** How often a follower asks to lead, and a leader checks that it still does. */
export const LEADERSHIP_RETRY_MS = 5_000;

export interface LeadershipEvents {
  /** This instance became the one holder. */
  gained(): void;
  /** It is not any more (its database session ended); stop the work at once. */
  lost(): void;
  warn(message: string): void;
}

/**
 * One holder at a time across every instance on a database, for work only
 * one may do (Telegram long polling). On PostgreSQL the holder keeps a session
 * advisory lock on a connection of its own: when the process dies, the
 * connection closes, the server drops the lock, and a follower takes it at
 * its next try (within LEADERSHIP_RETRY_MS). On SQLite the one server process
 * on the file leads.
 */
export class Leadership {
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private trying = false;
  private stopped = false;

  constructor(
    private readonly target: DatabaseTarget,
    private readonly lockKey: number,
    private readonly events: LeadershipEvents,
  ) {}

  start(): void {
    if (this.target.engine === 'sqlite') return this.events.gained();
    void this.tick();
    this.timer = setInterval(() => void this.tick(), LEADERSHIP_RETRY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** A follower tries to lead; a leader checks its session is still there. */
  private async tick(): Promise<void> {
    if (this.trying || this.stopped || this.target.engine !== 'postgresql') return;
    this.trying = true;
    try {
      if (this.client) await this.client.query('select 1').catch(() => this.drop(this.client));
      else await this.tryToLead(this.target.url);
    } finally {
      this.trying = false;
    }
  }

  private async tryToLead(url: string): Promise<void> {
    // The PostgreSQL driver loads only when a PostgreSQL process asks for leadership: SQLite never needs it.
    const { Client } = await import('pg');
    const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
        this.lockKey,
      ]);
      if (rows[0]?.locked && !this.stopped) {
        this.client = client;
        this.events.gained();
        return;
      }
    } catch (error) {
      this.events.warn(`could not ask the database for leadership: ${(error as Error).message}`);
    }
    await client.end().catch(() => undefined);
  }

  private drop(client: Client | undefined): void {
    if (!client || client !== this.client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (!this.stopped) this.events.lost();
  }
}
