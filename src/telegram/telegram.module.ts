import { DynamicModule, Module } from '@nestjs/common';
import type { TelegramConfig } from '../config/config';

@Module({})
export class TelegramModule {
  static forRoot(_config: TelegramConfig): DynamicModule {
    return { module: TelegramModule };
  }
}
