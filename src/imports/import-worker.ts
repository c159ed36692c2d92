import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Database } from '../database/database';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { ImportJobsRepository } from './import-jobs.repository';
import { ImportRunner } from './import-runner';

/** How often each instance looks for jobs nobody is working on (new, or left by a crash). */
const SCAN_MS = 2_000;

/**
 * The server's background worker: on start and every SCAN_MS (and when told
 * a job was queued) it runs the jobs nobody works on, one at a time per
 * instance. Any instance may take any job; the runner's lease decides. The
 * command-line import runs its own job and has no worker.
 */
@Injectable()
export class ImportWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Imports');
  private timer?: NodeJS.Timeout;
  private working = false;
  private stopping = false;

  constructor(
    private readonly database: Database,
    private readonly runner: ImportRunner,
    private readonly jobs: ImportJobsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), SCAN_MS);
    this.timer.unref();
    void this.voidLeftLeases().then(() => this.kick());
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    this.runner.stop();
    clearInterval(this.timer);
  }

  /** Looks for a job nobody works on and works on it, unless this instance is already at one. */
  kick(): void {
    if (this.working || this.stopping) return;
    this.working = true;
    void this.runner
      .runWaiting()
      .catch((error: Error) => this.logger.warn(`import worker: ${error.message}`))
      .finally(() => (this.working = false));
  }

  /** SQLite is one process: a lease left by the previous one (killed mid-import) is void. */
  private async voidLeftLeases(): Promise<void> {
    if (this.config.database.engine === 'sqlite') await this.database.read((db) => this.jobs.voidLeases(db));
  }
}
