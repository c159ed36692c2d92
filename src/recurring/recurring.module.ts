import { Module } from '@nestjs/common';
import { ExpensesModule } from '../expenses/expenses.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { RecurringController } from './recurring.controller';
import { RecurringService } from './recurring.service';

@Module({
  imports: [LedgersModule, ExpensesModule],
  controllers: [RecurringController],
  providers: [RecurringService],
  exports: [RecurringService],
})
export class RecurringModule {}
