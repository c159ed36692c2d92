import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Bot, webhookCallback } from 'grammy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig, TelegramConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Leadership } from '../database/leadership';
import { LOCK_KEYS } from '../database/locks';
import { ExpensesService } from '../expenses/expenses.service';
import { IdempotencyService } from '../idempotency/idempotency.service';
import type { ImportJobView } from '../imports/import-jobs.repository';
import { ImportRunner } from '../imports/import-runner';
import { ImportUploads } from '../imports/import-uploads';
import { ImportWorker } from '../imports/import-worker';
import { importProgressText } from './features/import';
import { LedgersService } from '../ledgers/ledgers.service';
import { TokensService } from '../ledgers/tokens.service';
import type { BotContext } from './bot-context';
import { ListQueriesRepository } from './list-queries.repository';
import { BudgetsService } from '../budgets/budgets.service';
import { ChartsService } from '../charts/charts.service';
import { Clock } from '../common/clock';
import { ChatOutbox } from '../outbox/chat-outbox';
import { RecurringService } from '../recurring/recurring.service';
import { COMMANDS, createBot } from './bot';
import { ChatPruning } from '../chat/chat-pruning';
import { ChatCore } from '../chat/chat-core';

export const TELEGRAM_CONFIG = Symbol('TELEGRAM_CONFIG');
const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;
/** Telegram limits message edits; an import's progress message changes at most this often. */
const PROGRESS_EDIT_MS = 2_000;
/**
 * Telegram retries a webhook that is slow to answer. Our writes commit before
 * the reply is sent, so past this the request is answered 200 and the reply
 * (still being retried) finishes in the background.
 */
const WEBHOOK_ANSWER_MS = 10_000;

/** Owns the bot: builds it, registers commands and the webhook or starts polling, stops it on shutdown. */
@Injectable()
export class TelegramService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Telegram');
  readonly bot: Bot<BotContext>;
  private readonly webhook?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  private polling?: Promise<void>;
  private leadership?: Leadership;

  constructor(
    @Inject(TELEGRAM_CONFIG) private readonly config: TelegramConfig,
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
    expenses: ExpensesService,
    ledgers: LedgersService,
    tokens: TokensService,
    idempotency: IdempotencyService,
    private readonly listQueries: ListQueriesRepository,
    imports: ImportUploads,
    importWorker: ImportWorker,
    private readonly importRunner: ImportRunner,
    budgets: BudgetsService,
    recurring: RecurringService,
    charts: ChartsService,
    clock: Clock,
    private readonly outbox: ChatOutbox,
    chat: ChatCore,
    private readonly pruning: ChatPruning,
  ) {
    this.bot = createBot(
      {
        expenses,
        ledgers,
        tokens,
        idempotency,
        imports,
        importWorker,
        listQueries,
        budgets,
        recurring,
        charts,
        clock,
        chat,
        log: { error: (message) => this.logger.error(message), warn: (message) => this.logger.warn(message) },
      },
      { token: config.token, apiRoot: config.apiRoot, miniApp: config.miniApp },
    );
    if (config.webhookUrl) {
      this.webhook = webhookCallback(this.bot, 'fastify', {
        secretToken: config.webhookSecret,
        onTimeout: 'return',
        timeoutMilliseconds: WEBHOOK_ANSWER_MS,
      }) as unknown as (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    }
  }

  /** grammY's webhook handler: checks the secret header in constant time, 401 without it. */
  async handleWebhook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!this.webhook) {
      reply.status(404).send({ statusCode: 404, error: 'Not Found', message: 'the bot is in polling mode' });
      return;
    }
    await this.webhook(request, reply);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bot.init();
    this.importRunner.setFileFetcher((fileId) => this.download(fileId));
    this.importRunner.onProgress((job) => this.showImportProgress(job));
    // Budget alerts and recurring postings queued by any instance go out from here.
    this.outbox.start(
      'telegram',
      async (chatId, text) => void (await this.bot.api.sendMessage(Number(chatId), text)),
      this.config.outboxCheckMs,
    );
    await this.bot.api
      .setMyCommands(COMMANDS)
      .catch((error: Error) => this.logger.warn(`setMyCommands failed: ${error.message}`));
    if (this.config.miniApp) {
      // The default menu button of every private chat opens the page as a Mini App.
      await this.bot.api
        .setChatMenuButton({
          menu_button: { type: 'web_app', text: 'Tally', web_app: { url: this.config.miniApp.publicUrl } },
        })
        .catch((error: Error) => this.logger.warn(`setChatMenuButton failed: ${error.message}`));
    }
    if (this.config.webhookUrl) {
      await this.bot.api.setWebhook(this.config.webhookUrl, {
        secret_token: this.config.webhookSecret,
        allowed_updates: [...ALLOWED_UPDATES],
      });
      this.logger.log(
        `@${this.bot.botInfo.username}: webhook mode, Telegram posts to ${new URL(this.config.webhookUrl).origin}/…`,
      );
    } else {
      // Telegram allows one getUpdates at a time per bot: among instances on one database, only the leader polls.
      this.leadership = new Leadership(this.appConfig.database, LOCK_KEYS.telegramPoller, {
        gained: () => this.startPolling(),
        lost: () => void this.stopPolling('lost the polling lock (database session ended)'),
        warn: (message) => this.logger.warn(message),
      });
      this.leadership.start();
      if (this.appConfig.database.engine === 'postgresql')
        this.logger.log(`@${this.bot.botInfo.username}: long polling when no other instance does`);
    }
    await this.pruning.start((db) => this.listQueries.prune(db));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopPolling();
    await this.leadership?.stop();
  }

  private startPolling(): void {
    if (this.polling) return;
    this.polling = this.bot
      .start({
        allowed_updates: [...ALLOWED_UPDATES],
        onStart: () => this.logger.log(`@${this.bot.botInfo.username}: long polling`),
      })
      .catch((error: Error) => this.logger.error(`polling stopped: ${error.message}`));
  }

  private async stopPolling(reason?: string): Promise<void> {
    const polling = this.polling;
    if (!polling) return;
    if (reason) this.logger.warn(`stopping long polling: ${reason}`);
    this.polling = undefined;
    await this.bot.stop();
    await polling;
  }

  /** A file sent to the bot, streamed from the Bot API's file endpoint. */
  private async download(fileId: string): Promise<AsyncIterable<Buffer>> {
    const file = await this.bot.api.getFile(fileId);
    if (!file.file_path) throw new Error('Telegram gave no file path for the document');
    const response = await fetch(`${this.config.apiRoot}/file/bot${this.config.token}/${file.file_path}`);
    if (!response.ok || !response.body) throw new Error(`downloading the document failed: HTTP ${response.status}`);
    return response.body as unknown as AsyncIterable<Buffer>;
  }

  private readonly lastProgressEdit = new Map<string, number>();

  /** Edits the chat's progress message as an import goes on; sends the summary when it ends. */
  private async showImportProgress(
    job: ImportJobView & { chatId: number | null; messageId: number | null },
  ): Promise<void> {
    if (job.chatId === null) return;
    const text = importProgressText(job);
    if (job.state === 'running') {
      const last = this.lastProgressEdit.get(job.id) ?? 0;
      if (job.messageId === null || Date.now() - last < PROGRESS_EDIT_MS) return;
      this.lastProgressEdit.set(job.id, Date.now());
      await this.bot.api.editMessageText(job.chatId, job.messageId, text);
      return;
    }
    this.lastProgressEdit.delete(job.id);
    if (job.messageId !== null) {
      await this.bot.api
        .editMessageText(job.chatId, job.messageId, job.state === 'done' ? 'Import finished.' : 'Import failed.')
        .catch(() => undefined);
    }
    await this.bot.api.sendMessage(job.chatId, text);
  }
}
