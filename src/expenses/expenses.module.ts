import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { ExpensesController } from './expenses.controller';
import { ExpensesService } from './expenses.service';
import { BudgetAlerts } from '../budgets/budget-alerts';

@Module({
  imports: [LedgersModule, IdempotencyModule],
  controllers: [ExpensesController],
  providers: [ExpensesService, BudgetAlerts],
  exports: [ExpensesService],
})
export class ExpensesModule {}
