import { Module } from '@nestjs/common';
import { ExpensesModule } from '../expenses/expenses.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { ChatClaimsRepository } from './chat-claims.repository';
import { ChatCore } from './chat-core';

/** What the chat front doors (Telegram, Slack) share: the claims and the core. */
@Module({
  imports: [ExpensesModule, LedgersModule, IdempotencyModule],
  providers: [ChatClaimsRepository, ChatCore],
  exports: [ChatClaimsRepository, ChatCore],
})
export class ChatModule {}
