import { Module } from '@nestjs/common';
import { ExpensesModule } from '../expenses/expenses.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { ChartsController } from './charts.controller';
import { ChartsService } from './charts.service';

@Module({
  imports: [LedgersModule, ExpensesModule],
  controllers: [ChartsController],
  providers: [ChartsService],
  exports: [ChartsService],
})
export class ChartsModule {}
