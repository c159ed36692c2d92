import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A CSV import: its options, progress and the lease of the worker running it (SQL in import-jobs.repository.ts). */
@Entity({ tableName: 'import_job' })
export class ImportJob {
  @PrimaryKey({ type: 'string' })
  id!: string;

  @Property({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId!: number;

  /** 'uploading', 'fetching', 'running', 'done' or 'failed'. */
  @Property({ type: 'string' })
  state!: string;

  /** JSON of the CSV options (decimal mark, date format, delimiter). */
  @Property({ type: 'string' })
  options!: string;

  /** What started it (a Telegram update), unique per ledger. */
  @Property({ type: 'string', fieldName: 'source_key', nullable: true })
  sourceKey?: string;

  @Property({ type: 'string', fieldName: 'telegram_file_id', nullable: true })
  telegramFileId?: string;

  @Property({ type: 'bigint', fieldName: 'chat_id', nullable: true })
  chatId?: string;

  @Property({ type: 'bigint', fieldName: 'message_id', nullable: true })
  messageId?: string;

  @Property({ type: 'bigint', fieldName: 'bytes_total', default: 0 })
  bytesTotal!: string;

  @Property({ type: 'bigint', fieldName: 'bytes_read', default: 0 })
  bytesRead!: string;

  @Property({ type: 'bigint', fieldName: 'rows_read', default: 0 })
  rowsRead!: string;

  @Property({ type: 'bigint', default: 0 })
  recorded!: string;

  @Property({ type: 'bigint', fieldName: 'already_present', default: 0 })
  alreadyPresent!: string;

  @Property({ type: 'bigint', fieldName: 'rejected_count', default: 0 })
  rejectedCount!: string;

  /** JSON: the first hundred rejected rows, with line and message. */
  @Property({ type: 'string' })
  rejected!: string;

  @Property({ type: 'string', nullable: true })
  error?: string;

  /** Epoch milliseconds until which a worker holds the job. */
  @Property({ type: 'bigint', fieldName: 'lease_until', default: 0 })
  leaseUntil!: string;

  @Property({ type: 'string', fieldName: 'created_at' })
  createdAt!: string;

  @Property({ type: 'string', fieldName: 'finished_at', nullable: true })
  finishedAt?: string;
}

/** A piece of a stored upload, kept until its import is done. */
@Entity({ tableName: 'import_chunk' })
export class ImportChunk {
  @PrimaryKey({ type: 'string', fieldName: 'import_id' })
  importId!: string;

  @PrimaryKey({ type: 'integer' })
  seq!: number;

  @Property({ type: 'blob' })
  data!: Buffer;
}
