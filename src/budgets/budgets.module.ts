import { Module } from '@nestjs/common';
import { ExpensesModule } from '../expenses/expenses.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { BudgetAlerts } from './budget-alerts';
import { BudgetsController } from './budgets.controller';
import { BudgetsService } from './budgets.service';

@Module({
  imports: [LedgersModule, ExpensesModule],
  controllers: [BudgetsController],
  providers: [BudgetsService, BudgetAlerts],
  exports: [BudgetsService],
})
export class BudgetsModule {}
