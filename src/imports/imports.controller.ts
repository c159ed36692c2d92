import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../common/domain-errors';
import { BearerGuard, CurrentLedger } from '../ledgers/bearer.guard';
import type { Ledger } from '../ledgers/ledger.entity';
import { importOptions } from './csv-rows';
import { ImportQuery } from './dto/import.query';
import type { ImportJobView } from './import-jobs.repository';
import { ImportUploads, MAX_IMPORT_BYTES } from './import-uploads';
import { ImportWorker } from './import-worker';

/** The content types whose body reaches the import as a stream (registered in app.ts). */
export const CSV_CONTENT_TYPES = ['text/csv', 'application/csv', 'text/plain'];
/** The one route that takes such a body. */
export const CSV_ROUTE = '/expenses/import';

@ApiTags('imports')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller()
export class ImportsController {
  constructor(
    private readonly uploads: ImportUploads,
    private readonly worker: ImportWorker,
  ) {}

  @Post(CSV_ROUTE.slice(1))
  @HttpCode(202)
  @ApiConsumes('text/csv')
  @ApiOperation({
    summary: 'Import a CSV (up to 100 MiB) in the background; rows already present are not recorded again',
  })
  @ApiResponse({ status: 202, description: 'Accepted: watch it at GET /imports/{id}' })
  async start(
    @CurrentLedger() ledger: Ledger,
    @Query() query: ImportQuery,
    @Headers('content-length') length: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportJobView> {
    const body = request.body;
    if (!isStream(body))
      throw new UnsupportedMediaTypeError(`Content-Type must be text/csv, with the CSV file as the body`);
    try {
      if (length !== undefined && Number(length) > MAX_IMPORT_BYTES) {
        throw new PayloadTooLargeError(
          `the CSV is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB; split it into smaller files`,
        );
      }
      const job = await this.uploads.start(ledger, body, importOptions(query));
      this.worker.kick();
      return job;
    } catch (error) {
      // The rest of the body may still be on its way: close the connection rather than leave it half read.
      reply.header('Connection', 'close');
      throw error;
    }
  }

  @Get('imports/:id')
  @ApiOperation({
    summary: 'An import: state, rows read, recorded, already present, rejected (first 100 with line and message)',
  })
  get(@CurrentLedger() ledger: Ledger, @Param('id') id: string): Promise<ImportJobView> {
    return this.uploads.get(ledger, id);
  }
}

/** True for a body the CSV content-type parser handed over as a stream (any other parser gives parsed JSON). */
export function isStream(body: unknown): body is AsyncIterable<Buffer> {
  return (
    typeof body === 'object' &&
    body !== null &&
    Symbol.asyncIterator in body &&
    typeof (body as { pipe?: unknown }).pipe === 'function'
  );
}
