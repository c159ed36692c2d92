import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { parse as parseSync } from 'csv-parse/sync';
import { InvalidInputError, NotFoundError, PayloadTooLargeError } from '../common/domain-errors';
import { newId } from '../common/new-id';
import type { RawSql } from '../database/raw-sql';
import { WriteBatcher } from '../database/write-batcher';
import type { Ledger } from '../ledgers/ledger.entity';
import { columnIndexes, ImportOptions } from './csv-rows';
import { ImportJobsRepository, ImportJobView, toView } from './import-jobs.repository';

/** The largest CSV accepted (docs/API.md §9). */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
/** The upload is kept in the database in pieces of this size until the import is done. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * How a CSV becomes an import job: an upload is checked and stored in the
 * database before its job may run; a document sent to the bot is queued in
 * the update's own transaction and downloaded by the runner. Nothing here
 * reads rows: that is the runner's (import-runner.ts).
 */
@Injectable()
export class ImportUploads {
  constructor(
    private readonly database: Database,
    private readonly batcher: WriteBatcher,
    private readonly jobs: ImportJobsRepository,
  ) {}

  /**
   * Takes a CSV upload: checks that it is UTF-8 text with the needed header,
   * keeps it in the database, and queues the job (a worker, or the caller
   * with ImportRunner.runHere, runs it). Bad input is refused here
   * (InvalidInputError, PayloadTooLargeError) and leaves nothing behind.
   */
  async start(
    ledger: Pick<Ledger, 'id'>,
    body: AsyncIterable<Buffer | string>,
    options: ImportOptions,
    origin: { chatId?: number; messageId?: number; sourceKey?: string } = {},
  ): Promise<ImportJobView> {
    const id = newId();
    await this.database.read((db) =>
      this.jobs.insert(db, {
        id,
        ledgerId: ledger.id,
        state: 'uploading',
        options: JSON.stringify(options),
        ...origin,
      }),
    );
    try {
      const bytes = await this.store(id, body, options);
      await this.database.read((db) => this.jobs.markUploaded(db, id, bytes));
    } catch (error) {
      await this.database.read((db) => this.jobs.delete(db, id));
      throw error;
    }
    return this.get(ledger, id);
  }

  /**
   * Queues the import of a CSV document sent to the bot, in `tx`: the
   * update's claim transaction, so the update and its job commit together.
   */
  async queueTelegramFile(
    tx: RawSql,
    ledger: Pick<Ledger, 'id'>,
    fileId: string,
    options: ImportOptions,
    origin: { chatId: number; sourceKey: string },
  ): Promise<string> {
    const id = newId();
    await this.jobs.insert(tx, {
      id,
      ledgerId: ledger.id,
      state: 'fetching',
      options: JSON.stringify(options),
      telegramFileId: fileId,
      ...origin,
    });
    return id;
  }

  async get(ledger: Pick<Ledger, 'id'>, id: string): Promise<ImportJobView> {
    const row = await this.database.read((db) => this.jobs.findInLedger(db, ledger.id, id));
    if (!row) throw new NotFoundError(`import ${id} not found`);
    return toView(row);
  }

  /** Sets the chat message that shows a job's progress (the bot sends it after the job started). */
  async setProgressMessage(id: string, chatId: number, messageId: number): Promise<void> {
    await this.database.read((db) => this.jobs.setProgressMessage(db, id, chatId, messageId));
  }

  /**
   * Streams the body into chunk rows, checking as it goes: at most
   * MAX_IMPORT_BYTES, UTF-8 throughout, and a header naming the needed
   * columns. Each chunk commits with concurrent writes. Returns the bytes stored.
   */
  async store(id: string, body: AsyncIterable<Buffer | string>, options: ImportOptions): Promise<number> {
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
      await this.batcher.run((tx) => this.jobs.insertChunk(tx, id, chunkSeq, data));
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
