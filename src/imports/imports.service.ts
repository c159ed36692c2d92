import { Readable } from 'node:stream';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import { CsvError, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { InvalidInputError, NotFoundError, PayloadTooLargeError } from '../common/domain-errors';
import { newId } from '../common/new-id';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { sql } from '../database/sql';
import { transactionSql } from '../database/raw-sql';
import { WriteBatcher } from '../database/write-batcher';
import { dedupKey, ExpenseContent } from '../expenses/dedup-key';
import { ExpensesService } from '../expenses/expenses.service';
import type { Ledger } from '../ledgers/ledger.entity';
import { LedgersService } from '../ledgers/ledgers.service';
import { columnIndexes, ImportOptions, readRow } from './csv-rows';
import { importRows } from '../metrics/metrics';

/** The largest CSV accepted (docs/API.md §9). */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
/** The upload is kept in the database in pieces of this size until the import is done. */
const CHUNK_BYTES = 1024 * 1024;
/** Rows committed together, with the job's progress, in one transaction. */
const ROWS_PER_COMMIT = 2000;
/** A worker holds a job this long past its last commit; then another may resume it. */
const LEASE_MS = 15_000;
/** How often each instance looks for jobs nobody is working on (new, or left by a crash). */
const SCAN_MS = 2_000;
/** Rejected rows listed in the job; the rest are only counted. */
const REJECTED_LISTED = 100;

export type JobState = 'running' | 'done' | 'failed';

/** GET /imports/:id. */
export interface ImportJobView {
  id: string;
  state: JobState;
  rowsRead: number;
  recorded: number;
  alreadyPresent: number;
  rejected: Array<{ line: number; message: string }>;
  rejectedCount: number;
  /** Progress through the file, for a progress bar. */
  bytesRead: number;
  bytesTotal: number;
  error?: string;
  createdAt: string;
  finishedAt?: string;
}

interface JobRow {
  id: string;
  ledger_id: number;
  state: 'uploading' | 'fetching' | JobState;
  telegram_file_id: string | null;
  options: string;
  chat_id: number | string | null;
  message_id: number | string | null;
  bytes_total: number | string;
  bytes_read: number | string;
  rows_read: number | string;
  recorded: number | string;
  already_present: number | string;
  rejected_count: number | string;
  rejected: string;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** Told as a job moves on, for the chat that started it (the bot edits its progress message). */
export type ImportListener = (
  job: ImportJobView & { chatId: number | null; messageId: number | null },
) => Promise<void> | void;

/** Downloads a file sent to the bot, as a stream of bytes. */
export type FileFetcher = (fileId: string) => Promise<AsyncIterable<Buffer>>;

/** A job this instance was working on was taken over, or finished, by another. */
class LostJobError extends Error {}

/**
 * CSV imports (docs/API.md §9). An upload is streamed into the database in
 * chunks, then any instance works through it in the background: rows are
 * recorded with their occurrence within the file (so the same file again finds
 * every key taken), a batch at a time, each batch in one transaction with the
 * job's progress. A crash loses at most an uncommitted batch, which the next
 * worker does again from the committed row count: nothing doubled, nothing lost.
 */
@Injectable()
export class ImportsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Imports');
  private readonly listeners: ImportListener[] = [];
  private fetchFile?: FileFetcher;
  private timer?: NodeJS.Timeout;
  private working = false;
  private stopping = false;

  constructor(
    private readonly em: EntityManager,
    private readonly batcher: WriteBatcher,
    private readonly expenses: ExpensesService,
    private readonly ledgers: LedgersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), SCAN_MS);
    this.timer.unref();
    void this.voidLeftLeases().then(() => this.kick());
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.timer);
  }

  onProgress(listener: ImportListener): void {
    this.listeners.push(listener);
  }

  /** How to download a CSV document sent to the bot (set by the Telegram module). */
  setFileFetcher(fetcher: FileFetcher): void {
    this.fetchFile = fetcher;
  }

  /**
   * Queues the import of a CSV document sent to the bot. Called inside the
   * update's claim transaction, so the update and its job commit together;
   * the worker downloads the file (again, after a crash) and imports it.
   */
  async queueTelegramFile(
    ledger: Ledger,
    fileId: string,
    options: ImportOptions,
    origin: { chatId: number; sourceKey: string },
  ): Promise<string> {
    const id = newId();
    await (
      await transactionSql(this.em)
    ).run(
      `insert into import_job (id, ledger_id, state, options, source_key, telegram_file_id, chat_id, created_at) values (?, ?, 'fetching', ?, ?, ?, ?, ?)`,
      id,
      ledger.id,
      JSON.stringify(options),
      origin.sourceKey,
      fileId,
      origin.chatId,
      new Date().toISOString(),
    );
    return id;
  }

  /**
   * Takes a CSV upload: checks that it is UTF-8 text with the needed header,
   * keeps it in the database, and queues the job. Bad input is refused here
   * (InvalidInputError, PayloadTooLargeError) and leaves nothing behind.
   */
  async start(
    ledger: Ledger,
    body: AsyncIterable<Buffer | string>,
    options: ImportOptions,
    origin: { chatId?: number; messageId?: number; sourceKey?: string; runHere?: boolean } = {},
  ): Promise<ImportJobView> {
    const id = newId();
    await sql(this.em)('import_job').insert({
      id,
      ledger_id: ledger.id,
      state: 'uploading',
      options: JSON.stringify(options),
      source_key: origin.sourceKey ?? null,
      chat_id: origin.chatId ?? null,
      message_id: origin.messageId ?? null,
      created_at: new Date().toISOString(),
    });
    try {
      const bytes = await this.spool(id, body, options);
      await sql(this.em)('import_job').where({ id }).update({ state: 'running', bytes_total: bytes, lease_until: 0 });
    } catch (error) {
      await sql(this.em)('import_job').where({ id }).delete();
      throw error;
    }
    if (!origin.runHere) this.kick();
    return this.get(ledger, id);
  }

  async get(ledger: Pick<Ledger, 'id'>, id: string): Promise<ImportJobView> {
    const row: JobRow | undefined = await sql(this.em)('import_job').where({ id, ledger_id: ledger.id }).first();
    if (!row) throw new NotFoundError(`import ${id} not found`);
    return toView(row);
  }

  /** Sets the chat message that shows a job's progress (the bot sends it after the job started). */
  async setProgressMessage(id: string, chatId: number, messageId: number): Promise<void> {
    await sql(this.em)('import_job').where({ id }).update({ chat_id: chatId, message_id: messageId });
  }

  /** Looks for a job nobody works on and works on it; one job at a time per instance. */
  kick(): void {
    if (this.working || this.stopping) return;
    this.working = true;
    void this.workOnNext()
      .catch((error: Error) => this.logger.warn(`import worker: ${error.message}`))
      .finally(() => (this.working = false));
  }

  /** Runs a job to its end in this process (the CLI), reporting progress after every commit. */
  async runHere(id: string, onCommit: (job: ImportJobView) => void): Promise<ImportJobView> {
    const listener: ImportListener = (job) => (job.id === id ? onCommit(job) : undefined);
    this.listeners.push(listener);
    try {
      if (await this.claim(id)) await this.work(id);
      const row: JobRow = await sql(this.em)('import_job').where({ id }).first();
      return toView(row);
    } finally {
      this.listeners.splice(this.listeners.indexOf(listener), 1);
    }
  }

  private async workOnNext(): Promise<void> {
    for (;;) {
      const next: { id: string } | undefined = await sql(this.em)('import_job')
        .whereIn('state', this.fetchFile ? ['running', 'fetching'] : ['running'])
        .andWhere('lease_until', '<', Date.now())
        .orderBy('created_at')
        .first('id');
      if (!next || this.stopping) return;
      if (await this.claim(next.id)) await this.work(next.id);
    }
  }

  /** The guarded update decides which instance works on a job. */
  private async claim(id: string): Promise<boolean> {
    const now = Date.now();
    const changed = await sql(this.em)('import_job')
      .where({ id })
      .whereIn('state', ['running', 'fetching'])
      .andWhere('lease_until', '<', now)
      .update({ lease_until: now + LEASE_MS });
    return changed === 1;
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
    const job: JobRow = await sql(this.em)('import_job').where({ id }).first();
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
      const recordedNow = await this.expenses.recordImported(ledger, batch, async (raw, recorded) => {
        const changed = await raw.run(
          `update import_job set rows_read = rows_read + ?, recorded = recorded + ?, already_present = already_present + ?,
             rejected_count = rejected_count + ?, rejected = ?, bytes_read = ?, lease_until = ?
           where id = ? and rows_read = ? and state = 'running'`,
          rows,
          recorded,
          batch.length - recorded,
          batchRejectedCount,
          JSON.stringify(listed),
          bytes,
          Date.now() + LEASE_MS,
          id,
          committed,
        );
        if (changed !== 1) throw new LostJobError(`import ${id} moved on elsewhere`);
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
    const job: JobRow = await sql(this.em)('import_job').where({ id }).first();
    if (job.state !== 'fetching' || !job.telegram_file_id || !this.fetchFile) return;
    await sql(this.em)('import_chunk').where({ import_id: id }).delete(); // a download cut off before
    let bytes: number;
    try {
      bytes = await this.spool(
        id,
        await this.fetchFile(job.telegram_file_id),
        JSON.parse(job.options) as ImportOptions,
      );
    } catch (error) {
      if (error instanceof InvalidInputError || error instanceof PayloadTooLargeError)
        return this.finish(id, 'failed', error.message, ['fetching']);
      throw error;
    }
    const changed = await sql(this.em)('import_job')
      .where({ id, state: 'fetching' })
      .update({ state: 'running', bytes_total: bytes, lease_until: Date.now() + LEASE_MS });
    if (changed !== 1) throw new LostJobError(`import ${id} moved on elsewhere`);
  }

  /** The upload, read back from the database a chunk at a time. */
  private chunks(id: string): Readable {
    const em = this.em;
    return Readable.from(
      (async function* () {
        for (let seq = 0; ; seq++) {
          const row: { data: Buffer } | undefined = await sql(em)('import_chunk')
            .where({ import_id: id, seq })
            .first('data');
          if (!row) return;
          yield Buffer.from(row.data);
        }
      })(),
    );
  }

  private async finish(
    id: string,
    state: 'done' | 'failed',
    error?: string,
    from: Array<JobRow['state']> = ['running'],
  ): Promise<void> {
    const changed = await this.batcher.run(async () =>
      (await transactionSql(this.em)).run(
        `update import_job set state = ?, error = ?, finished_at = ?, lease_until = 0 where id = ? and state in (${from.map(() => '?').join(', ')})`,
        state,
        error ?? null,
        new Date().toISOString(),
        id,
        ...from,
      ),
    );
    await sql(this.em)('import_chunk').where({ import_id: id }).delete();
    if (changed === 1) await this.tell(id);
  }

  private async tell(id: string): Promise<void> {
    if (this.listeners.length === 0) return;
    const row: JobRow = await sql(this.em)('import_job').where({ id }).first();
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

  /**
   * Streams the body into chunk rows, checking as it goes: at most
   * MAX_IMPORT_BYTES, UTF-8 throughout, and a header naming the needed columns.
   */
  private async spool(id: string, body: AsyncIterable<Buffer | string>, options: ImportOptions): Promise<number> {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let total = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let firstLine: string | undefined = '';
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending);
      const chunkSeq = seq++;
      await this.batcher.run(async () =>
        (await transactionSql(this.em)).run(
          'insert into import_chunk (import_id, seq, data) values (?, ?, ?)',
          id,
          chunkSeq,
          data,
        ),
      );
      pending = [];
      pendingBytes = 0;
    };
    for await (const piece of body) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      total += chunk.length;
      if (total > MAX_IMPORT_BYTES)
        throw new PayloadTooLargeError(
          `the CSV is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB; split it into smaller files`,
        );
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw new InvalidInputError(
          `the file is not UTF-8 text (a byte near position ${total - chunk.length} is not); save it as "CSV UTF-8"`,
        );
      }
      if (firstLine !== undefined) {
        firstLine += text;
        const end = firstLine.search(/\r?\n/);
        if (end >= 0) {
          checkHeader(firstLine.slice(0, end), options);
          firstLine = undefined;
        } else if (firstLine.length > 65_536)
          throw new InvalidInputError(
            'the first line is longer than 64 KiB: this does not look like a CSV file with a header row',
          );
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    try {
      decoder.decode();
    } catch {
      throw new InvalidInputError('the file is not UTF-8 text (it ends inside a character); save it as "CSV UTF-8"');
    }
    if (total === 0)
      throw new InvalidInputError('the body is empty: send a CSV file with a header row (date, amount, category, …)');
    if (firstLine !== undefined) checkHeader(firstLine, options);
    await flush();
    return total;
  }

  /** SQLite is one process: a lease left by the previous one (killed mid-import) is void. */
  private async voidLeftLeases(): Promise<void> {
    if (this.config.database.engine === 'sqlite')
      await sql(this.em)('import_job').where({ state: 'running' }).update({ lease_until: 0 });
  }
}

function checkHeader(line: string, options: ImportOptions): void {
  let fields: string[];
  try {
    fields = (parseSync(line, { delimiter: options.delimiter, bom: true, relax_quotes: true }) as string[][])[0] ?? [];
  } catch (error) {
    throw new InvalidInputError(`the header row is not CSV: ${(error as Error).message}`);
  }
  columnIndexes(fields);
}

/** 52 bits of the content's hash: a number key keeps a million rows' occurrence counts small in memory. */
function contentKey(content: ExpenseContent): number {
  const hash = Buffer.from(dedupKey(content, 0).slice(0, 12), 'base64url');
  return hash.readUIntBE(0, 6) * 16 + (hash[6] >> 4);
}

function toView(row: JobRow): ImportJobView {
  const view: ImportJobView = {
    id: row.id,
    state: row.state === 'uploading' || row.state === 'fetching' ? 'running' : row.state,
    rowsRead: Number(row.rows_read),
    recorded: Number(row.recorded),
    alreadyPresent: Number(row.already_present),
    rejected: JSON.parse(row.rejected),
    rejectedCount: Number(row.rejected_count),
    bytesRead: Number(row.bytes_read),
    bytesTotal: Number(row.bytes_total),
    createdAt: row.created_at,
  };
  if (row.error) view.error = row.error;
  if (row.finished_at) view.finishedAt = row.finished_at;
  return view;
}
