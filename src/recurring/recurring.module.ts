import { Module } from '@nestjs/common';
import { ExpensesModule } from '../expenses/expenses.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { RecurringController } from './recurring.controller';
import { RecurringService } from './recurring.service';
import { RecurringRepository } from './recurring.repository';

@Module({
  imports: [LedgersModule, ExpensesModule],
  controllers: [RecurringController],
  providers: [RecurringRepository, RecurringService],
  exports: [RecurringService],
})
export class RecurringModule {}
