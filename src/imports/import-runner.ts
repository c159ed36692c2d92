import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { Database } from '../database/database';
import { CsvError, parse } from 'csv-parse';
import { InvalidInputError, PayloadTooLargeError } from '../common/domain-errors';
import { WriteBatcher } from '../database/write-batcher';
import { dedupKey, ExpenseContent } from '../expenses/dedup-key';
import { ExpensesService } from '../expenses/expenses.service';
import { LedgersService } from '../ledgers/ledgers.service';
import { ImportOptions, readRow, columnIndexes } from './csv-rows';
import { ImportJobsRepository, ImportJobView, StoredJobState, toView } from './import-jobs.repository';
import { CHUNK_BYTES, ImportUploads } from './import-uploads';
import { importRows } from '../metrics/metrics';

/** Rows committed together, with the job's progress, in one transaction. */
const ROWS_PER_COMMIT = 2000;
/** A worker holds a job this long past its last commit; then another may resume it. */
export const LEASE_MS = 15_000;
/** Rejected rows listed in the job; the rest are only counted. */
const REJECTED_LISTED = 100;

/** Told as a job moves on, for the chat that started it (the bot edits its progress message). */
export type ImportListener = (
  job: ImportJobView & { chatId: number | null; messageId: number | null },
) => Promise<void> | void;

/** Downloads a file sent to the bot, as a stream of bytes. */
export type FileFetcher = (fileId: string) => Promise<AsyncIterable<Buffer>>;

/** A job this instance was working on was taken over, or finished, by another. */
class LostJobError extends Error {}

/**
 * Runs import jobs (docs/API.md §9): rows are recorded with their
 * occurrence within the file (so the same file again finds every key
 * taken), a batch at a time, each batch in one transaction with the job's
 * progress. A crash loses at most an uncommitted batch, which the next
 * runner does again from the committed row count: nothing doubled, nothing
 * lost. Which jobs run when is the worker's (import-worker.ts) or, for the
 * command line, the caller's (runHere).
 */
@Injectable()
export class ImportRunner {
  private readonly logger = new Logger('Imports');
  private readonly listeners: ImportListener[] = [];
  private fetchFile?: FileFetcher;
  private stopping = false;

  constructor(
    private readonly database: Database,
    private readonly batcher: WriteBatcher,
    private readonly jobs: ImportJobsRepository,
    private readonly uploads: ImportUploads,
    private readonly expenses: ExpensesService,
    private readonly ledgers: LedgersService,
  ) {}

  onProgress(listener: ImportListener): void {
    this.listeners.push(listener);
  }

  /** How to download a CSV document sent to the bot (set by the Telegram module). */
  setFileFetcher(fetcher: FileFetcher): void {
    this.fetchFile = fetcher;
  }

  /** Stops at the next batch: the job's lease runs out and another runner resumes it. */
  stop(): void {
    this.stopping = true;
  }

  /** Runs a job to its end in this process (the CLI), reporting progress after every commit. */
  async runHere(id: string, onCommit: (job: ImportJobView) => void): Promise<ImportJobView> {
    const listener: ImportListener = (job) => (job.id === id ? onCommit(job) : undefined);
    this.listeners.push(listener);
    try {
      if (await this.lease(id)) await this.work(id);
      return toView((await this.database.read((db) => this.jobs.find(db, id)))!);
    } finally {
      this.listeners.splice(this.listeners.indexOf(listener), 1);
    }
  }

  /** Runs jobs nobody works on, one after another, until there are none (or the runner stops). */
  async runWaiting(): Promise<void> {
    const states: StoredJobState[] = this.fetchFile ? ['running', 'fetching'] : ['running'];
    for (;;) {
      const next = await this.database.read((db) => this.jobs.nextUnleased(db, states, Date.now()));
      if (!next || this.stopping) return;
      if (await this.lease(next)) await this.work(next);
    }
  }

  private lease(id: string): Promise<boolean> {
    const now = Date.now();
    return this.database.read((db) => this.jobs.lease(db, id, now, now + LEASE_MS));
  }

  private async work(id: string): Promise<void> {
    try {
      await this.fetchIfNeeded(id);
      await this.process(id);
    } catch (error) {
      if (error instanceof LostJobError) return;
      if (error instanceof CsvError) return this.finish(id, 'failed', `the file is not valid CSV: ${error.message}`);
      if (error instanceof InvalidInputError) return this.finish(id, 'failed', error.message);
      // The database or the process failed, not the file: the lease runs out and the job is resumed.
      this.logger.warn(`import ${id} paused: ${(error as Error).message}`);
    }
  }

  private async process(id: string): Promise<void> {
    const job = (await this.database.read((db) => this.jobs.find(db, id)))!;
    const ledger = await this.ledgers.byId(job.ledger_id);
    if (!ledger) throw new InvalidInputError('the ledger of this import no longer exists');
    const options = JSON.parse(job.options) as ImportOptions;
    const done = Number(job.rows_read);
    const rejected = JSON.parse(job.rejected) as ImportJobView['rejected'];
    const parser = this.chunks(id).pipe(
      parse({
        delimiter: options.delimiter,
        bom: true,
        relax_column_count: true,
        skip_empty_lines: true,
        info: true,
        max_record_size: CHUNK_BYTES,
      }),
    );
    // Occurrences within the file: the n-th identical row is occurrence n. Keyed by 52 bits of the
    // content hash, rebuilt from the start of the file on a resume.
    const seen = new Map<number, number>();
    let header: { length: number; indexes: ReturnType<typeof columnIndexes> } | undefined;
    let index = 0;
    let batch: Array<{ content: ExpenseContent; occurrence: number }> = [];
    let batchRows = 0;
    let batchRejected: ImportJobView['rejected'] = [];
    let batchRejectedCount = 0;
    let bytes = 0;
    let committed = done;

    const commit = async () => {
      const rows = batchRows;
      const listed = [...rejected, ...batchRejected].slice(0, REJECTED_LISTED);
      const recordedNow = await this.expenses.recordImported(ledger, batch, async (tx, recorded) => {
        const progress = {
          rows,
          recorded,
          alreadyPresent: batch.length - recorded,
          rejectedCount: batchRejectedCount,
          rejected: listed,
          bytesRead: bytes,
          leaseUntil: Date.now() + LEASE_MS,
        };
        if (!(await this.jobs.addBatch(tx, id, committed, progress)))
          throw new LostJobError(`import ${id} moved on elsewhere`);
      });
      committed += rows;
      importRows.inc({ outcome: 'recorded' }, recordedNow);
      importRows.inc({ outcome: 'already_present' }, batch.length - recordedNow);
      importRows.inc({ outcome: 'rejected' }, batchRejectedCount);
      rejected.splice(0, rejected.length, ...listed);
      batch = [];
      batchRows = 0;
      batchRejected = [];
      batchRejectedCount = 0;
      await this.tell(id);
    };

    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; bytes: number };
    }>) {
      if (!header) {
        header = { length: record.length, indexes: columnIndexes(record) };
        continue;
      }
      index++;
      const outcome = readRow(record, header, options, ledger);
      let occurrence = 0;
      if (outcome.ok) {
        const key = contentKey(outcome.content);
        occurrence = (seen.get(key) ?? 0) + 1;
        seen.set(key, occurrence);
      }
      if (index <= done) continue; // committed before a restart
      bytes = info.bytes;
      batchRows++;
      if (outcome.ok) batch.push({ content: outcome.content, occurrence });
      else {
        batchRejectedCount++;
        if (rejected.length + batchRejected.length < REJECTED_LISTED)
          batchRejected.push({ line: info.lines, message: outcome.message });
      }
      if (batchRows >= ROWS_PER_COMMIT) {
        if (this.stopping) throw new LostJobError('shutting down');
        await commit();
      }
    }
    if (!header) throw new InvalidInputError('the file has no header row');
    bytes = Number(job.bytes_total);
    await commit();
    await this.finish(id, 'done');
  }

  /** A document sent to the bot is downloaded first, into the same chunks an upload fills. */
  private async fetchIfNeeded(id: string): Promise<void> {
    const job = (await this.database.read((db) => this.jobs.find(db, id)))!;
    if (job.state !== 'fetching' || !job.telegram_file_id || !this.fetchFile) return;
    await this.database.read((db) => this.jobs.deleteChunks(db, id)); // a download cut off before
    let bytes: number;
    try {
      const file = await this.fetchFile(job.telegram_file_id);
      bytes = await this.uploads.store(id, file, JSON.parse(job.options) as ImportOptions);
    } catch (error) {
      if (error instanceof InvalidInputError || error instanceof PayloadTooLargeError)
        return this.finish(id, 'failed', error.message, ['fetching']);
      throw error;
    }
    if (!(await this.database.read((db) => this.jobs.markFetched(db, id, bytes, Date.now() + LEASE_MS))))
      throw new LostJobError(`import ${id} moved on elsewhere`);
  }

  /** The upload, read back from the database a chunk at a time. */
  private chunks(id: string): Readable {
    const read = (seq: number) => this.database.read((db) => this.jobs.chunk(db, id, seq));
    return Readable.from(
      (async function* () {
        for (let seq = 0; ; seq++) {
          const data = await read(seq);
          if (!data) return;
          yield data;
        }
      })(),
    );
  }

  private async finish(
    id: string,
    state: 'done' | 'failed',
    error?: string,
    from: StoredJobState[] = ['running'],
  ): Promise<void> {
    const ended = await this.batcher.run((tx) => this.jobs.finish(tx, id, state, error ?? null, from));
    await this.database.read((db) => this.jobs.deleteChunks(db, id));
    if (ended) await this.tell(id);
  }

  private async tell(id: string): Promise<void> {
    if (this.listeners.length === 0) return;
    const row = (await this.database.read((db) => this.jobs.find(db, id)))!;
    const job = {
      ...toView(row),
      chatId: row.chat_id === null ? null : Number(row.chat_id),
      messageId: row.message_id === null ? null : Number(row.message_id),
    };
    for (const listener of this.listeners) {
      try {
        await listener(job);
      } catch (error) {
        this.logger.warn(`import ${id}: telling about progress failed: ${(error as Error).message}`);
      }
    }
  }
}

/** 52 bits of the content's hash: a number key keeps a million rows' occurrence counts small in memory. */
function contentKey(content: ExpenseContent): number {
  const hash = Buffer.from(dedupKey(content, 0).slice(0, 12), 'base64url');
  return hash.readUIntBE(0, 6) * 16 + (hash[6] >> 4);
}
