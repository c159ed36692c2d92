import { DynamicModule, Module } from '@nestjs/common';
import type { SlackConfig } from '../config/config';
import { ChatModule } from '../chat/chat.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { ChartsModule } from '../charts/charts.module';
import { SlackController } from './slack.controller';
import { SLACK_CONFIG, SlackService } from './slack.service';

/** Only imported when SLACK_BOT_TOKEN is set; the HTTP routes exist only in HTTP mode (no SLACK_APP_TOKEN). */
@Module({})
export class SlackModule {
  static forRoot(config: SlackConfig): DynamicModule {
    return {
      module: SlackModule,
      imports: [ChatModule, LedgersModule, BudgetsModule, ChartsModule],
      controllers: config.appToken ? [] : [SlackController],
      providers: [{ provide: SLACK_CONFIG, useValue: config }, SlackService],
    };
  }
}
