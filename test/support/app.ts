import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app';
import { Clock } from '../../src/common/clock';
import { ChatOutbox } from '../../src/outbox/chat-outbox';
import { AppConfig, loadConfig, MiniAppConfig } from '../../src/config/config';
import type { Engine } from '../../src/database/database-target';
import { freshDatabase, TestDatabase } from './engines';
import { LedgersService } from '../../src/ledgers/ledgers.service';
import { TokensService } from '../../src/ledgers/tokens.service';
import { BOT_TOKEN, FakeTelegram } from './fake-telegram';
import { FakeSlack, SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_BOT_TOKEN } from './fake-slack';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  dir: string;
  db: TestDatabase;
  /** A fresh API token for the named ledger (created if missing). */
  token(ledger?: string): Promise<string>;
  /** Stops the app and removes its temporary folder. */
  close(): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tally-test-'));
}

/**
 * The real application on a fresh database — a real SQLite file in a
 * temporary folder, or a new database on the run's PostgreSQL server —
 * listening on a loopback port.
 */
export async function startApp(
  overrides: Partial<AppConfig> = {},
  engine: Engine = 'sqlite',
  existing?: { db: TestDatabase; dir: string },
  clock?: Clock,
): Promise<TestApp> {
  const dir = existing?.dir ?? tempDir();
  const db = existing?.db ?? (await freshDatabase(engine, dir));
  const config: AppConfig = {
    ...loadConfig({}),
    database: db.target,
    port: 0,
    logLevel: 'error',
    ...overrides,
  };
  const app = await createApp(config, { clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    dir,
    db,
    async token(name = 'test') {
      const ledger = await app.get(LedgersService).findOrCreate(name);
      return app.get(TokensService).issue(ledger);
    },
    async close() {
      await app.close();
      await db.drop();
      removeDir(dir);
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const WEBHOOK_URL = 'https://tally.example/telegram/webhook';

/** The app in webhook mode, its Bot API a fresh fake. */
export async function startAppWithBot(
  secret: string,
  engine: Engine = 'sqlite',
  clock?: Clock,
  options: { outboxCheckMs?: number; miniApp?: MiniAppConfig } = {},
): Promise<{ t: TestApp; fake: FakeTelegram; stop(): Promise<void> }> {
  const fake = await new FakeTelegram().start();
  const telegram = { token: BOT_TOKEN, apiRoot: fake.url, webhookUrl: WEBHOOK_URL, webhookSecret: secret, ...options };
  const t = await startApp({ telegram }, engine, undefined, clock);
  return {
    t,
    fake,
    async stop() {
      await t.close();
      await fake.stop();
    },
  };
}

/** A clock that stands still until a test moves it: due dates and month ends without waiting. */
export class FakeClock extends Clock {
  constructor(private at: Date) {
    super();
  }

  override now(): Date {
    return new Date(this.at);
  }

  set(iso: string): void {
    this.at = new Date(iso);
  }
}

/** Sends what the app's chat outbox holds now and resolves when it is sent (alerts and postings go out after COMMIT). */
export async function outboxDelivered(t: TestApp): Promise<void> {
  const outbox = t.app.get(ChatOutbox);
  outbox.deliverSoon();
  await outbox.idle();
}

/** The app with Slack on, its Web API a fresh fake; HTTP mode unless `socketMode`. */
export async function startAppWithSlack(
  engine: Engine = 'sqlite',
  options: { socketMode?: boolean; existing?: { db: TestDatabase; dir: string }; fake?: FakeSlack; clock?: Clock } = {},
): Promise<{ t: TestApp; fake: FakeSlack; stop(): Promise<void> }> {
  const fake = options.fake ?? (await new FakeSlack().start());
  const slack = {
    botToken: SLACK_BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    appToken: options.socketMode ? SLACK_APP_TOKEN : undefined,
    apiRoot: fake.apiRoot,
  };
  const t = await startApp({ slack }, engine, options.existing, options.clock);
  return {
    t,
    fake,
    async stop() {
      await t.close();
      if (!options.fake) await fake.stop();
    },
  };
}
