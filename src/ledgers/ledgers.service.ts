import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { sql } from '../database/sql';
import { Ledger } from './ledger.entity';
import { TokenCache } from './token-cache';

interface LedgerRow {
  id: number;
  name: string;
  currency: string;
  timezone: string;
  created_at: string;
}

const RECENT_LEDGERS = 10_000;

@Injectable()
export class LedgersService {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokenCache: TokenCache,
  ) {}

  /** Recently used ledgers by name (chat ledgers on the bot's hot path); a change here drops them. */
  private readonly recent = new Map<string, { ledger: Ledger; until: number }>();

  /** The ledger with this name, created with the configured defaults if missing. Race-free: the unique name decides. */
  async findOrCreate(name: string): Promise<Ledger> {
    const cached = this.recent.get(name);
    if (cached && cached.until > Date.now()) return cached.ledger;
    const ledger = await this.loadOrCreate(name);
    if (this.recent.size >= RECENT_LEDGERS) this.recent.clear();
    this.recent.set(name, { ledger, until: Date.now() + TokenCache.TTL_MS });
    return ledger;
  }

  private async loadOrCreate(name: string): Promise<Ledger> {
    await sql(this.em)('ledger')
      .insert({
        name,
        currency: this.config.defaultCurrency,
        timezone: this.config.defaultTimezone,
        created_at: new Date().toISOString(),
      })
      .onConflict('name')
      .ignore();
    const row: LedgerRow = await sql(this.em)('ledger').where({ name }).first();
    return toLedger(row);
  }

  /** The ledger with this name, if there is one (never creates it). */
  async find(name: string): Promise<Ledger | undefined> {
    const row: LedgerRow | undefined = await sql(this.em)('ledger').where({ name }).first();
    return row ? toLedger(row) : undefined;
  }

  async byId(id: number): Promise<Ledger | undefined> {
    const row: LedgerRow | undefined = await sql(this.em)('ledger').where({ id }).first();
    return row ? toLedger(row) : undefined;
  }

  async update(ledger: Ledger, changes: Partial<Pick<Ledger, 'currency' | 'timezone'>>): Promise<Ledger> {
    await sql(this.em)('ledger').where({ id: ledger.id }).update(changes);
    this.tokenCache.forgetLedger(ledger.id);
    this.recent.delete(ledger.name);
    return Object.assign(new Ledger(ledger.name, ledger.currency, ledger.timezone), ledger, changes);
  }
}

export function toLedger(row: LedgerRow): Ledger {
  return Object.assign(new Ledger(row.name, row.currency, row.timezone), { id: row.id, createdAt: row.created_at });
}
