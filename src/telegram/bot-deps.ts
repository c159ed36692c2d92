import type { ExpensesService } from '../expenses/expenses.service';
import type { IdempotencyService } from '../idempotency/idempotency.service';
import type { ImportUploads } from '../imports/import-uploads';
import type { ImportWorker } from '../imports/import-worker';
import type { LedgersService } from '../ledgers/ledgers.service';
import type { TokensService } from '../ledgers/tokens.service';
import type { ListQueriesRepository } from './list-queries.repository';
import type { BudgetsService } from '../budgets/budgets.service';
import type { ChartsService } from '../charts/charts.service';
import type { Clock } from '../common/clock';
import type { RecurringService } from '../recurring/recurring.service';
import type { ChatCore } from '../chat/chat-core';

/** What the bot's handlers may call: the same services the REST API uses. */
export interface BotDeps {
  expenses: ExpensesService;
  ledgers: LedgersService;
  tokens: TokensService;
  idempotency: IdempotencyService;
  imports: ImportUploads;
  importWorker: ImportWorker;
  /** The filters behind "More" buttons, saved in the update's transaction. */
  listQueries: ListQueriesRepository;
  budgets: BudgetsService;
  recurring: RecurringService;
  charts: ChartsService;
  clock: Clock;
  /** What Telegram shares with Slack: claims, the grammar's actions and their replies. */
  chat: ChatCore;
  log: { error(message: string): void; warn(message: string): void };
}
