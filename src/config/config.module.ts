import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from './config';
import { Clock } from '../common/clock';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Makes the configuration, validated once at start-up, and the clock injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, clock: Clock = new Clock()): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
      ],
      exports: [APP_CONFIG, Clock],
    };
  }
}
