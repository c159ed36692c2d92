import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, BotConfig, GrammyError, HttpError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { botApiFetch } from './bot-api-fetch';
import { BotContext, ledgerName, Once } from './bot-context';
import type { BotDeps } from './bot-deps';
import { addFeature } from './features/add';
import { budgetsFeature } from './features/budgets';
import { chartFeature } from './features/chart';
import { recurringFeature } from './features/recurring';
import { editFeature } from './features/edit';
import { importFeature } from './features/import';
import { fallbackFeature, manageFeature } from './features/manage';
import { reportsFeature } from './features/reports';
import { miniAppFeature } from './features/mini-app';
import type { MiniAppConfig } from '../config/config';
import { botApiFailures, duplicatesAnswered } from '../metrics/metrics';

export interface BotOptions {
  token: string;
  apiRoot: string;
  /** Known bot identity (tests), skipping getMe. */
  botInfo?: UserFromGetMe;
  /** The page as a Mini App (/app), when TALLY_PUBLIC_URL is set. */
  miniApp?: MiniAppConfig;
}

/** The commands shown in Telegram's menu (setMyCommands). */
export const COMMANDS = [
  { command: 'add', description: 'Record an expense: /add 12.50 food lunch' },
  { command: 'list', description: 'Newest expenses: /list [category] [period]' },
  { command: 'total', description: 'Totals: /total [category] [period]' },
  { command: 'undo', description: 'Remove the last expense you added' },
  { command: 'delete', description: 'Remove one expense: /delete 12' },
  { command: 'edit', description: 'Correct one expense: /edit 12 13.50 food' },
  { command: 'budget', description: 'Monthly limit: /budget food 300 (off removes it)' },
  { command: 'budgets', description: 'This month against each budget' },
  { command: 'recurring', description: 'Recurring expenses: /recurring add 9.99 subscriptions netflix monthly 15' },
  { command: 'chart', description: 'A chart: /chart [category] [period]' },
  { command: 'export', description: 'All expenses as CSV' },
  { command: 'currency', description: 'Show or set the default currency' },
  { command: 'timezone', description: 'Show or set the time zone' },
  { command: 'token', description: 'A REST API token (private chat)' },
  { command: 'tokens', description: "This chat's API tokens (private chat)" },
  { command: 'revoke', description: 'Revoke an API token: /revoke 3' },
  { command: 'app', description: 'Open Tally as an app' },
  { command: 'help', description: 'What Tally does' },
];

/**
 * Bot API retries stay bounded so a webhook is answered in time and nothing
 * waits forever: a 429 is waited out once if retry_after is at most 5 s, a
 * 5xx is retried once (auto-retry waits 3 s, then 6 s before giving up), and
 * a network error is not retried at all (auto-retry would retry it forever).
 */
const RETRY = { maxRetryAttempts: 1, maxDelaySeconds: 5, rethrowHttpErrors: true };
const BOT_API_TIMEOUT_SECONDS = 8;

/** Builds the bot; nothing runs and nothing is fetched until the caller starts it. */
export function createBot(deps: BotDeps, options: BotOptions): Bot<BotContext> {
  // A Bot API call that hangs is abandoned after BOT_API_TIMEOUT_SECONDS (grammY's default is 500 s).
  const config: BotConfig<BotContext> = {
    client: {
      apiRoot: options.apiRoot,
      timeoutSeconds: BOT_API_TIMEOUT_SECONDS,
      fetch: botApiFetch as unknown as typeof fetch,
    },
    botInfo: options.botInfo,
  };
  const bot = new Bot<BotContext>(options.token, config);
  bot.api.config.use(autoRetry(RETRY));

  bot.use(async (ctx, next) => {
    const chat = ctx.chat;
    if (!chat) return; // inline queries and the like: not ours
    const once: Once = async (work) => {
      const done = await deps.chat.once(
        'telegram',
        [`${ctx.me.id}:${ctx.update.update_id}`],
        ledgerName(chat.id),
        work,
      );
      if (!done) duplicatesAnswered.inc({ layer: 'telegram_repeat' });
      return done;
    };
    ctx.once = once;
    await next();
  });

  const features = bot.errorBoundary(async (error) => {
    const cause = error.error;
    // The Bot API itself failed (after retries): a reply about it would fail too.
    if (cause instanceof GrammyError || cause instanceof HttpError) {
      botApiFailures.inc({ method: cause instanceof GrammyError ? cause.method : 'network' });
      deps.log.warn(`update ${error.ctx.update.update_id}: Bot API call failed: ${cause.message}`);
      return;
    }
    deps.log.error(
      `update ${error.ctx.update.update_id} failed: ${cause instanceof Error ? cause.stack : String(cause)}`,
    );
    await error.ctx.reply('Sorry, something went wrong. Please try again.').catch(() => undefined);
  });
  features.use(
    addFeature(deps),
    editFeature(deps),
    importFeature(deps),
    reportsFeature(deps),
    budgetsFeature(deps),
    recurringFeature(deps),
    chartFeature(deps),
    manageFeature(deps),
    miniAppFeature(options.miniApp, options.token),
    fallbackFeature(),
  );
  return bot;
}
