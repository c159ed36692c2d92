import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app';
import { AppConfig, loadConfig } from '../../src/config/config';
import { LedgersService } from '../../src/ledgers/ledgers.service';
import { TokensService } from '../../src/ledgers/tokens.service';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  dir: string;
  /** A fresh API token for the named ledger (created if missing). */
  token(ledger?: string): Promise<string>;
  close(): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tally-test-'));
}

/** The real application on a real SQLite file in a temporary folder, listening on a loopback port. */
export async function startApp(overrides: Partial<AppConfig> = {}, dir = tempDir()): Promise<TestApp> {
  const config: AppConfig = {
    ...loadConfig({}),
    databasePath: join(dir, 'tally.sqlite'),
    port: 0,
    logLevel: 'error',
    ...overrides,
  };
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    dir,
    async token(name = 'test') {
      const ledger = await app.get(LedgersService).findOrCreate(name);
      return app.get(TokensService).issue(ledger);
    },
    async close() {
      await app.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
