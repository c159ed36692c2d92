import { Module } from '@nestjs/common';
import { ExpensesModule } from '../expenses/expenses.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { ChatClaimsRepository } from './chat-claims.repository';
import { ChatCore } from './chat-core';
import { ChatPruning } from './chat-pruning';

/** What the chat front doors (Telegram, Slack) share: the claims, the core, and pruning what they keep. */
@Module({
  imports: [ExpensesModule, LedgersModule, IdempotencyModule],
  providers: [ChatClaimsRepository, ChatCore, ChatPruning],
  exports: [ChatClaimsRepository, ChatCore, ChatPruning],
})
export class ChatModule {}
