import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { ExpensesController } from './expenses.controller';
import { ExpensesService } from './expenses.service';
import { MovementEffects } from './movement-effects';

@Module({
  imports: [LedgersModule, IdempotencyModule],
  controllers: [ExpensesController],
  providers: [ExpensesService, MovementEffects],
  exports: [ExpensesService, MovementEffects],
})
export class ExpensesModule {}
