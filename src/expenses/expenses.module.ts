import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { ExpensesController } from './expenses.controller';
import { ExpensesService } from './expenses.service';
import { MovementEffects } from './movement-effects';
import { ExpensesRepository } from './expenses.repository';

@Module({
  imports: [LedgersModule, IdempotencyModule],
  controllers: [ExpensesController],
  providers: [ExpensesRepository, ExpensesService, MovementEffects],
  exports: [ExpensesService, MovementEffects],
})
export class ExpensesModule {}
