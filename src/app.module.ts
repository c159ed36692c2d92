import { DynamicModule, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { AppConfig, SlackConfig, TelegramConfig } from './config/config';
import type { Clock } from './common/clock';
import { BudgetsModule } from './budgets/budgets.module';
import { ChartsModule } from './charts/charts.module';
import { OutboxModule } from './outbox/outbox.module';
import { RecurringModule } from './recurring/recurring.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { ormConfig } from './database/orm.config';
import { ExpensesModule } from './expenses/expenses.module';
import { HealthController } from './health.controller';
import { ImportsModule } from './imports/imports.module';
import { MetricsController } from './metrics/metrics.controller';
import { LedgersModule } from './ledgers/ledgers.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        // The request context is opened by a Fastify hook in app.ts, not Nest middleware.
        MikroOrmModule.forRoot({ ...ormConfig(config.database), registerRequestContext: false }),
        DatabaseModule,
        OutboxModule,
        LedgersModule,
        ExpensesModule,
        ImportsModule,
        BudgetsModule,
        RecurringModule,
        ChartsModule,
        ...(config.telegram ? [telegramModule(config.telegram)] : []),
        ...(config.slack ? [slackModule(config.slack)] : []),
      ],
      controllers: [HealthController, MetricsController],
    };
  }
}

/** grammY and the bot's code are loaded only when a bot is configured: a fortieth of start-up otherwise. */
function telegramModule(config: TelegramConfig): DynamicModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TelegramModule } = require('./telegram/telegram.module') as typeof import('./telegram/telegram.module');
  return TelegramModule.forRoot(config);
}

/** Slack's SDK and the Slack front door load only when Slack is configured. */
function slackModule(config: SlackConfig): DynamicModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SlackModule } = require('./slack/slack.module') as typeof import('./slack/slack.module');
  return SlackModule.forRoot(config);
}
