import { Module } from '@nestjs/common';
import { ExpensesModule } from '../expenses/expenses.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { ImportJobsRepository } from './import-jobs.repository';
import { ImportRunner } from './import-runner';
import { ImportUploads } from './import-uploads';

/** Storing and running imports, without the HTTP routes or the background worker: what the import CLI needs. */
@Module({
  imports: [LedgersModule, ExpensesModule],
  providers: [ImportJobsRepository, ImportUploads, ImportRunner],
  exports: [ImportJobsRepository, ImportUploads, ImportRunner],
})
export class ImportJobsModule {}
