import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Ledger } from './ledger.entity';
import { LedgerRow, LedgersRepository } from './ledgers.repository';
import { TokenCache } from './token-cache';

const RECENT_LEDGERS = 10_000;

@Injectable()
export class LedgersService {
  constructor(
    private readonly database: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokenCache: TokenCache,
    private readonly repository: LedgersRepository,
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

  private loadOrCreate(name: string): Promise<Ledger> {
    return this.database.read(async (db) => {
      await this.repository.insertIfMissing(db, name, this.config.defaultCurrency, this.config.defaultTimezone);
      return toLedger((await this.repository.byName(db, name))!);
    });
  }

  /** The ledger with this name, if there is one (never creates it). */
  async find(name: string): Promise<Ledger | undefined> {
    const row = await this.database.read((db) => this.repository.byName(db, name));
    return row ? toLedger(row) : undefined;
  }

  async byId(id: number): Promise<Ledger | undefined> {
    const row = await this.database.read((db) => this.repository.byId(db, id));
    return row ? toLedger(row) : undefined;
  }

  async update(ledger: Ledger, changes: Partial<Pick<Ledger, 'currency' | 'timezone'>>): Promise<Ledger> {
    await this.database.read((db) => this.repository.setDefaults(db, ledger.id, changes));
    this.tokenCache.forgetLedger(ledger.id);
    this.recent.delete(ledger.name);
    return Object.assign(new Ledger(ledger.name, ledger.currency, ledger.timezone), ledger, changes);
  }
}

export function toLedger(row: LedgerRow): Ledger {
  return Object.assign(new Ledger(row.name, row.currency, row.timezone), { id: row.id, createdAt: row.created_at });
}
