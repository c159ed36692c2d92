import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LogLevel, SocketModeClient } from '@slack/socket-mode';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCore } from '../chat/chat-core';
import { Clock } from '../common/clock';
import { errorBody } from '../common/exception-filters';
import type { SlackConfig } from '../config/config';
import { TokensService } from '../ledgers/tokens.service';
import { BudgetsService } from '../budgets/budgets.service';
import { ChartsService } from '../charts/charts.service';
import { ChatOutbox } from '../outbox/chat-outbox';
import { ChatPruning } from '../chat/chat-pruning';
import { SlackApi } from './slack-api';
import { BlockActions, EventCallback, SlackBot, SlashCommand } from './slack-bot';
import { isSignedBySlack } from './slack-signature';
import { slackWords } from './slack-words';

export const SLACK_CONFIG = Symbol('SLACK_CONFIG');

/**
 * Slack retries anything not acknowledged within 3 seconds, at once. Work that
 * takes longer (a slow database, a slow Web API) goes on after this and its
 * reply arrives later; what it records is claimed, so the retry finds it.
 */
export const ACK_WITHIN_MS = 2_500;

const RECONNECT_MS = 5_000;
/** Work that fails after Slack was answered is run again this many times (2 s, 4 s, 6 s later). */
const LATE_RETRIES = 3;

export type SlackRoute = 'commands' | 'events' | 'interactions';

/** Owns the Slack front door: verifies and acknowledges requests (HTTP or Socket Mode) and hands them to the bot. */
@Injectable()
export class SlackService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Slack');
  private readonly bot: SlackBot;
  private readonly api: SlackApi;
  private socket?: SocketModeClient;
  private reconnectTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(SLACK_CONFIG) private readonly config: SlackConfig,
    chat: ChatCore,
    budgets: BudgetsService,
    charts: ChartsService,
    tokens: TokensService,
    private readonly clock: Clock,
    private readonly outbox: ChatOutbox,
    private readonly pruning: ChatPruning,
  ) {
    const log = {
      warn: (message: string) => this.logger.warn(message),
      error: (message: string) => this.logger.error(message),
    };
    this.api = new SlackApi(config.botToken, config.apiRoot);
    this.bot = new SlackBot(chat, budgets, charts, tokens, this.api, clock, log);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Budget alerts and recurring postings for Slack ledgers, queued by any instance, go out from here.
    this.outbox.start('slack', (channel, text) => this.api.postMessage(channel, { text: slackWords(text) }));
    await this.pruning.start();
    if (!this.config.appToken) {
      this.logger.log('HTTP mode: Slack posts to /slack/commands, /slack/events and /slack/interactions');
      return;
    }
    // Every instance holds its own connection; Slack hands each envelope to one of them.
    this.socket = new SocketModeClient({
      appToken: this.config.appToken,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: `${this.config.apiRoot}/` },
    });
    this.socket.on('slack_event', ({ type, body, ack }: { type: string; body: unknown; ack: () => Promise<void> }) => {
      void this.acknowledge(() => this.work(socketRoute(type), body)).then(
        () => ack().catch((error: Error) => this.logger.warn(`Socket Mode ack failed: ${error.message}`)),
        // Not acknowledged: Slack delivers it again, and the claims make that safe.
        (error: Error) => this.logger.error(`Slack ${type} failed: ${error.stack ?? error.message}`),
      );
    });
    this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.socket?.disconnect().catch(() => undefined);
  }

  /** Slack unreachable at start-up does not stop Tally: the connection is tried again every RECONNECT_MS. */
  private connect(): void {
    this.socket?.start().then(
      () => this.logger.log('Socket Mode: connected to Slack'),
      (error: Error) => {
        if (this.stopped) return;
        this.logger.warn(`Socket Mode: could not connect (${error.message}); trying again in ${RECONNECT_MS / 1000} s`);
        this.reconnectTimer = setTimeout(() => this.connect(), RECONNECT_MS);
        this.reconnectTimer.unref();
      },
    );
  }

  /** One HTTP request from Slack: 401 unless signed, then acknowledged within ACK_WITHIN_MS. */
  async handleHttp(route: SlackRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const raw = (request as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    if (
      !isSignedBySlack(
        this.config.signingSecret ?? '',
        header('x-slack-request-timestamp'),
        header('x-slack-signature'),
        raw,
        this.clock.now().getTime(),
      )
    ) {
      reply
        .status(401)
        .send(errorBody(401, 'the request is not signed by Slack (X-Slack-Signature, X-Slack-Request-Timestamp)'));
      return;
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (route === 'events' && body.type === 'url_verification') {
      reply.status(200).send({ challenge: body.challenge });
      return;
    }
    let payload: unknown = body;
    if (route === 'interactions') {
      try {
        payload = JSON.parse(String(body.payload ?? ''));
      } catch {
        reply.status(400).send(errorBody(400, 'the form field "payload" must be JSON'));
        return;
      }
    }
    try {
      await this.acknowledge(() => this.work(route, payload));
    } catch (error) {
      // Failed before anything committed: Slack retries an event it sees fail, and the retry may succeed.
      this.logger.error(`Slack ${route} failed: ${(error as Error).stack ?? String(error)}`);
      if (route === 'events')
        return void reply.status(503).send(errorBody(503, 'could not handle the event now; Slack will retry'));
      return void reply
        .status(200)
        .send({ response_type: 'ephemeral', text: 'Sorry, something went wrong. Please try again.' });
    }
    reply.status(200).send();
  }

  private work(route: SlackRoute | undefined, payload: unknown): Promise<void> {
    switch (route) {
      case 'commands':
        return this.bot.command(payload as SlashCommand);
      case 'events':
        return this.bot.event(payload as EventCallback);
      case 'interactions':
        return this.bot.interaction(payload as BlockActions);
      default:
        return Promise.resolve();
    }
  }

  /**
   * Resolves when the work is done or ACK_WITHIN_MS passed, whichever is first;
   * rejects only when the work failed within that time (then Slack is told, and
   * retries). Work that fails after Slack was answered is run again here, up
   * to LATE_RETRIES times: Slack will not retry it, and the claims make a
   * second run record nothing twice.
   */
  private acknowledge(run: () => Promise<void>): Promise<void> {
    const work = run();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        work.catch((error: Error) => this.retryLate(run, error, 1));
        resolve();
      }, ACK_WITHIN_MS);
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  private retryLate(run: () => Promise<void>, error: Error, attempt: number): void {
    if (attempt > LATE_RETRIES || this.stopped) {
      this.logger.error(`Slack work failed after it was acknowledged, given up: ${error.stack ?? error.message}`);
      return;
    }
    this.logger.warn(`Slack work failed after it was acknowledged (${error.message}); running it again`);
    setTimeout(() => run().catch((next: Error) => this.retryLate(run, next, attempt + 1)), attempt * 2_000).unref();
  }
}

/** Socket Mode's envelope types, as the HTTP routes name them. */
function socketRoute(type: string): SlackRoute | undefined {
  if (type === 'events_api') return 'events';
  if (type === 'slash_commands') return 'commands';
  if (type === 'interactive') return 'interactions';
  return undefined;
}
