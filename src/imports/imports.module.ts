import { Module } from '@nestjs/common';
import { LedgersModule } from '../ledgers/ledgers.module';
import { ImportsController } from './imports.controller';
import { ImportJobsModule } from './import-jobs.module';
import { ImportWorker } from './import-worker';

/** Imports in the server: POST/GET /imports and the worker that runs queued jobs. */
@Module({
  imports: [LedgersModule, ImportJobsModule],
  controllers: [ImportsController],
  providers: [ImportWorker],
  exports: [ImportJobsModule, ImportWorker],
})
export class ImportsModule {}
