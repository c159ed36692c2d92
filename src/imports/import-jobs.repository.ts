import { Injectable } from '@nestjs/common';
import type { RawSql } from '../database/raw-sql';

export type JobState = 'running' | 'done' | 'failed';
/** A job's stored state: 'uploading' while its upload is stored, 'fetching' until the bot downloaded its file. */
export type StoredJobState = 'uploading' | 'fetching' | JobState;

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

/** A row of import_job as both engines return it (PostgreSQL's bigints as strings). */
export interface JobRow {
  id: string;
  ledger_id: number;
  state: StoredJobState;
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

/** What one committed batch of rows adds to its job. */
export interface BatchProgress {
  rows: number;
  recorded: number;
  alreadyPresent: number;
  rejectedCount: number;
  /** The listed rejected rows so far (the first hundred of the file). */
  rejected: ImportJobView['rejected'];
  bytesRead: number;
  leaseUntil: number;
}

const JOB_COLUMNS = `id, ledger_id, state, telegram_file_id, options, chat_id, message_id, bytes_total, bytes_read,
  rows_read, recorded, already_present, rejected_count, rejected, error, created_at, finished_at`;

/**
 * The SQL of CSV imports: the job rows (state, progress, the worker's lease)
 * and the stored upload's chunks. Every method runs on the connection or
 * transaction it is handed; the same SQL serves both engines.
 */
@Injectable()
export class ImportJobsRepository {
  async insert(
    db: RawSql,
    job: {
      id: string;
      ledgerId: number;
      state: 'uploading' | 'fetching';
      options: string;
      sourceKey?: string;
      telegramFileId?: string;
      chatId?: number;
      messageId?: number;
    },
  ): Promise<void> {
    await db.run(
      `insert into import_job (id, ledger_id, state, options, source_key, telegram_file_id, chat_id, message_id, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      job.id,
      job.ledgerId,
      job.state,
      job.options,
      job.sourceKey ?? null,
      job.telegramFileId ?? null,
      job.chatId ?? null,
      job.messageId ?? null,
      new Date().toISOString(),
    );
  }

  async find(db: RawSql, id: string): Promise<JobRow | undefined> {
    return db.get<JobRow>(`select ${JOB_COLUMNS} from import_job where id = ?`, id);
  }

  async findInLedger(db: RawSql, ledgerId: number, id: string): Promise<JobRow | undefined> {
    return db.get<JobRow>(`select ${JOB_COLUMNS} from import_job where id = ? and ledger_id = ?`, id, ledgerId);
  }

  /** The upload is stored whole: the job may run (lease 0: any worker may take it now). */
  async markUploaded(db: RawSql, id: string, bytesTotal: number): Promise<void> {
    await db.run(
      `update import_job set state = 'running', bytes_total = ?, lease_until = 0 where id = ?`,
      bytesTotal,
      id,
    );
  }

  /** The bot's download is stored whole; false when another worker moved the job on meanwhile. */
  async markFetched(db: RawSql, id: string, bytesTotal: number, leaseUntil: number): Promise<boolean> {
    const changed = await db.run(
      `update import_job set state = 'running', bytes_total = ?, lease_until = ? where id = ? and state = 'fetching'`,
      bytesTotal,
      leaseUntil,
      id,
    );
    return changed === 1;
  }

  /** A job and its chunks (the chunks go with it: on delete cascade). */
  async delete(db: RawSql, id: string): Promise<void> {
    await db.run('delete from import_job where id = ?', id);
  }

  async setProgressMessage(db: RawSql, id: string, chatId: number, messageId: number): Promise<void> {
    await db.run('update import_job set chat_id = ?, message_id = ? where id = ?', chatId, messageId, id);
  }

  /** The oldest job in one of `states` whose lease ran out, if any. */
  async nextUnleased(db: RawSql, states: StoredJobState[], now: number): Promise<string | undefined> {
    const row = await db.get<{ id: string }>(
      `select id from import_job where state in (${states.map(() => '?').join(', ')}) and lease_until < ?
       order by created_at limit 1`,
      ...states,
      now,
    );
    return row?.id;
  }

  /** The guarded update decides which worker holds a job: true for the one whose update changed the row. */
  async lease(db: RawSql, id: string, now: number, until: number): Promise<boolean> {
    const changed = await db.run(
      `update import_job set lease_until = ? where id = ? and state in ('running', 'fetching') and lease_until < ?`,
      until,
      id,
      now,
    );
    return changed === 1;
  }

  /**
   * Adds a committed batch to its job, guarded by the row count the worker
   * started from: false when another worker moved the job on meanwhile.
   */
  async addBatch(db: RawSql, id: string, fromRows: number, batch: BatchProgress): Promise<boolean> {
    const changed = await db.run(
      `update import_job set rows_read = rows_read + ?, recorded = recorded + ?, already_present = already_present + ?,
         rejected_count = rejected_count + ?, rejected = ?, bytes_read = ?, lease_until = ?
       where id = ? and rows_read = ? and state = 'running'`,
      batch.rows,
      batch.recorded,
      batch.alreadyPresent,
      batch.rejectedCount,
      JSON.stringify(batch.rejected),
      batch.bytesRead,
      batch.leaseUntil,
      id,
      fromRows,
    );
    return changed === 1;
  }

  /** Ends a job that is in one of `from`; false when it was not (another worker ended it). */
  async finish(db: RawSql, id: string, state: 'done' | 'failed', error: string | null, from: StoredJobState[]) {
    const changed = await db.run(
      `update import_job set state = ?, error = ?, finished_at = ?, lease_until = 0
       where id = ? and state in (${from.map(() => '?').join(', ')})`,
      state,
      error,
      new Date().toISOString(),
      id,
      ...from,
    );
    return changed === 1;
  }

  /** SQLite is one process: a lease left by the previous one (killed mid-import) is void. */
  async voidLeases(db: RawSql): Promise<void> {
    await db.run(`update import_job set lease_until = 0 where state = 'running'`);
  }

  async insertChunk(db: RawSql, id: string, seq: number, data: Buffer): Promise<void> {
    await db.run('insert into import_chunk (import_id, seq, data) values (?, ?, ?)', id, seq, data);
  }

  async chunk(db: RawSql, id: string, seq: number): Promise<Buffer | undefined> {
    const row = await db.get<{ data: Buffer | Uint8Array }>(
      'select data from import_chunk where import_id = ? and seq = ?',
      id,
      seq,
    );
    return row && Buffer.from(row.data);
  }

  async deleteChunks(db: RawSql, id: string): Promise<void> {
    await db.run('delete from import_chunk where import_id = ?', id);
  }
}

export function toView(row: JobRow): ImportJobView {
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
