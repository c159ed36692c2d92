import { Module } from '@nestjs/common';
import { ExpensesModule } from '../expenses/expenses.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { BudgetAlerts } from './budget-alerts';
import { BudgetsRepository } from './budgets.repository';
import { BudgetsController } from './budgets.controller';
import { BudgetsService } from './budgets.service';

@Module({
  imports: [LedgersModule, ExpensesModule],
  controllers: [BudgetsController],
  providers: [BudgetsRepository, BudgetsService, BudgetAlerts],
  exports: [BudgetsService],
})
export class BudgetsModule {}
