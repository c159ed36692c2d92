import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Database } from '../database/database';
import { Clock } from '../common/clock';
import { addDays, isCalendarDate, todayIn } from '../common/calendar';
import { InvalidInputError, NotFoundError } from '../common/domain-errors';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { RecurringRepository, RuleRow } from './recurring.repository';
import { WriteBatcher } from '../database/write-batcher';
import { ruleAmount, ruleCategory, ruleCurrency, ruleDescription } from '../expenses/expense-rules';
import type { ExpenseAuthor } from '../expenses/expense.view';
import { ExpensesService } from '../expenses/expenses.service';
import type { Ledger } from '../ledgers/ledger.entity';
import { LedgersService } from '../ledgers/ledgers.service';
import { chatAddressOf } from '../ledgers/chat-ledger';
import { Money } from '../money/money';
import { ChatOutbox } from '../outbox/chat-outbox';
import { formatExpense } from '../chat/format';
import { EVERY, Every, firstDue, nextDue, Schedule, settle } from './schedule';

export interface NewRecurring {
  amount: unknown;
  currency?: unknown;
  category: unknown;
  description?: unknown;
  every: unknown;
  day?: unknown;
  start?: unknown;
  author?: ExpenseAuthor;
}

export interface RecurringView {
  id: number;
  amount: string;
  currency: string;
  category: string;
  description: string;
  every: Every;
  /** Day of the month (1–31) or ISO weekday (1–7); null for daily. */
  day: number | null;
  start: string;
  /** The next date it will be recorded on. */
  next: string;
  createdAt: string;
}

/** Ledgers ahead of UTC reach a date first; rules due somewhere today are at most this far ahead of UTC's date. */
const EARLIEST_ZONE = 'Etc/GMT-14';

/**
 * Recurring expenses (docs/API.md §8). Every instance checks for due rules at
 * start-up and every RECURRING_CHECK_SECONDS; each due date is posted in one
 * transaction that moves the rule's next date (guarded by the date it read),
 * records the expense keyed by rule and date, and queues the chat's message,
 * so a date is posted once whoever races and whatever crashes.
 */
@Injectable()
export class RecurringService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Recurring');
  private timer?: NodeJS.Timeout;
  private checking?: Promise<number>;

  constructor(
    private readonly database: Database,
    private readonly batcher: WriteBatcher,
    private readonly expenses: ExpensesService,
    private readonly ledgers: LedgersService,
    private readonly outbox: ChatOutbox,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rules: RecurringRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.postDue(), this.config.recurringCheckSeconds * 1000);
    this.timer.unref();
    void this.postDue();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  async create(ledger: Ledger, input: NewRecurring): Promise<RecurringView> {
    const currency = ruleCurrency(optionalString(input.currency, 'currency'), ledger.currency);
    const amount = ruleAmount(input.amount, currency);
    const category = ruleCategory(input.category);
    const description = ruleDescription(input.description);
    const every = ruleEvery(input.every);
    const today = todayIn(ledger.timezone, this.clock.now());
    const start = input.start === undefined || input.start === null ? today : ruleStart(input.start, today);
    const schedule = settle(every, ruleDay(every, input.day), start);
    const { id, rule } = await this.database.read(async (db) => {
      const id = await this.rules.insert(db, {
        ledger_id: ledger.id,
        amount_minor: amount.minor.toString(),
        currency,
        category,
        description,
        every,
        day: schedule.day ?? 0,
        start_date: start,
        next_date: firstDue(schedule, start),
        author_telegram_id: input.author?.telegramId ?? null,
        author_name: input.author?.name ?? null,
        created_at: new Date().toISOString(),
      });
      return { id, rule: (await this.rules.byId(db, id))! };
    });
    // Dates already due (a start today or in the past) are posted now rather than at the next check.
    await this.catchUp(rule);
    return this.get(ledger, id);
  }

  async list(ledger: Ledger): Promise<RecurringView[]> {
    const rows = await this.database.read((db) => this.rules.active(db, ledger.id));
    return rows.map(toView);
  }

  async get(ledger: Ledger, id: number): Promise<RecurringView> {
    const row = await this.database.read((db) => this.rules.activeById(db, ledger.id, id));
    if (!row) throw new NotFoundError(`recurring expense ${id} not found`);
    return toView(row);
  }

  /** Stops a rule: nothing more is posted; what it posted stays. */
  async stop(ledger: Ledger, id: unknown): Promise<RecurringView> {
    const number = ruleId(id);
    const view = await this.get(ledger, number);
    const stopped = await this.database.read((db) => this.rules.stop(db, ledger.id, number, new Date().toISOString()));
    if (!stopped) throw new NotFoundError(`recurring expense ${number} not found`);
    return view;
  }

  /** Posts every due date of every rule, once; resolves how many this instance posted. One check at a time per process. */
  postDue(): Promise<number> {
    this.checking ??= this.postAllDue().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async postAllDue(): Promise<number> {
    let posted = 0;
    try {
      const latestToday = todayIn(EARLIEST_ZONE, this.clock.now());
      const due = await this.database.read((db) => this.rules.due(db, latestToday));
      for (const rule of due) posted += await this.catchUp(rule);
    } catch (error) {
      this.logger.error(`checking recurring expenses failed: ${(error as Error).message}`);
    }
    return posted;
  }

  /** Posts one rule's due dates, oldest first, until it is not due or another instance took over. */
  private async catchUp(rule: RuleRow): Promise<number> {
    const ledger = await this.ledgers.byId(rule.ledger_id);
    if (!ledger) return 0;
    const today = todayIn(ledger.timezone, this.clock.now());
    const schedule: Schedule = { every: rule.every, day: rule.every === 'day' ? undefined : Number(rule.day) };
    let posted = 0;
    for (let due = rule.next_date; due <= today; due = nextDue(schedule, due)) {
      try {
        if (!(await this.postOne(ledger, rule, schedule, due))) break;
        posted++;
      } catch (error) {
        this.logger.error(`recurring expense ${rule.id} on ${due} not posted: ${(error as Error).message}`);
        break;
      }
    }
    return posted;
  }

  private postOne(ledger: Ledger, rule: RuleRow, schedule: Schedule, due: string): Promise<boolean> {
    return this.batcher.run(async (tx) => {
      if (!(await this.rules.advance(tx, rule.id, due, nextDue(schedule, due)))) return false;
      const { expense } = await this.expenses.record(ledger, {
        amount: Money.ofMinor(rule.amount_minor, rule.currency).format(),
        currency: rule.currency,
        category: rule.category,
        description: rule.description,
        date: due,
        source: 'recurring',
        author:
          rule.author_telegram_id === null
            ? undefined
            : { telegramId: Number(rule.author_telegram_id), name: rule.author_name ?? '' },
        keyScope: `recurring:${rule.id}:${due}`,
      });
      await this.outbox.enqueue(
        tx,
        ledger.name,
        `Recurring expense recorded: ${formatExpense(expense)} as #${expense.number}. ${stopHint(ledger, rule.id)}`,
      );
      return true;
    });
  }
}

function toView(row: RuleRow): RecurringView {
  return {
    id: Number(row.id),
    amount: Money.ofMinor(row.amount_minor, row.currency).format(),
    currency: row.currency,
    category: row.category,
    description: row.description,
    every: row.every,
    day: row.every === 'day' ? null : Number(row.day),
    start: row.start_date,
    next: row.next_date,
    createdAt: row.created_at,
  };
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError(`${field} must be a string`);
  return value;
}

export function ruleEvery(value: unknown): Every {
  if (typeof value === 'string' && (EVERY as readonly string[]).includes(value)) return value as Every;
  throw new InvalidInputError(`every must be one of ${EVERY.join(', ')}`);
}

function ruleDay(every: Every, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (every === 'day') throw new InvalidInputError('day is not allowed when every is day');
  const max = every === 'week' ? 7 : 31;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidInputError(
      every === 'week'
        ? 'day must be an ISO weekday from 1 (Monday) to 7 (Sunday)'
        : 'day must be a day of the month from 1 to 31',
    );
  }
  return value;
}

/** A start in the past is caught up date by date; a year back is the most that makes sense to post at once. */
const MAX_START_DAYS_BACK = 366;

function ruleStart(value: unknown, today: string): string {
  if (typeof value !== 'string' || !isCalendarDate(value))
    throw new InvalidInputError(`start must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(value)}`);
  if (value < addDays(today, -MAX_START_DAYS_BACK))
    throw new InvalidInputError(`start must be at most ${MAX_START_DAYS_BACK} days ago`);
  return value;
}

function ruleId(value: unknown): number {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 1)
    throw new NotFoundError(`recurring expense ${String(value)} not found`);
  return number;
}

/** How to end a rule, in the words of the ledger's chat: Telegram has a command; a Slack channel uses the API. */
function stopHint(ledger: Ledger, ruleId: number | string): string {
  return chatAddressOf(ledger.name)?.platform === 'telegram'
    ? `/recurring stop ${ruleId} ends it.`
    : `DELETE /recurring/${ruleId} (with this ledger's token) ends it.`;
}
