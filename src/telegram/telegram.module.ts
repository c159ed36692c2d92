import { DynamicModule, Module } from '@nestjs/common';
import type { TelegramConfig } from '../config/config';
import { ExpensesModule } from '../expenses/expenses.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { ImportsModule } from '../imports/imports.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { ChartsModule } from '../charts/charts.module';
import { RecurringModule } from '../recurring/recurring.module';
import { ListQueriesRepository } from './list-queries.repository';
import { ChatModule } from '../chat/chat.module';
import { TelegramWebhookController } from './telegram-webhook.controller';
import { TELEGRAM_CONFIG, TelegramService } from './telegram.service';

/** Only imported when TELEGRAM_BOT_TOKEN is set; the webhook route exists only in webhook mode. */
@Module({})
export class TelegramModule {
  static forRoot(config: TelegramConfig): DynamicModule {
    return {
      module: TelegramModule,
      imports: [
        ChatModule,
        ExpensesModule,
        LedgersModule,
        IdempotencyModule,
        ImportsModule,
        BudgetsModule,
        RecurringModule,
        ChartsModule,
      ],
      controllers: config.webhookUrl ? [TelegramWebhookController] : [],
      providers: [{ provide: TELEGRAM_CONFIG, useValue: config }, ListQueriesRepository, TelegramService],
    };
  }
}
