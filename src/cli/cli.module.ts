import { DynamicModule, INestApplicationContext, LoggerService, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { AppConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { openDatabase } from '../database/open-database';
import { ormConfig } from '../database/orm.config';
import { OutboxModule } from '../outbox/outbox.module';

/**
 * The application's own modules, wired by Nest as the server wires them, for
 * a command-line tool: the database, configuration and outbox, and the
 * feature modules the tool names. No HTTP, no chat bots, no background
 * workers: the running server sends what a tool queues (budget alerts).
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, features: Type[]): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        MikroOrmModule.forRoot({ ...ormConfig(config.database), registerRequestContext: false }),
        DatabaseModule,
        OutboxModule,
        ...features,
      ],
    };
  }
}

/** Warnings and errors on standard error: a tool's standard output is its result. */
const CLI_LOGGER: LoggerService = {
  log: () => undefined,
  warn: (message: unknown) => console.error(String(message)),
  error: (message: unknown) => console.error(String(message)),
};

/**
 * Runs `use` with an application context of `features` on a reachable,
 * migrated database, and closes it after.
 */
export async function withCliContext<T>(
  config: AppConfig,
  features: Type[],
  use: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  // Migrated first, on a connection of its own: the modules' start-up hooks read their tables.
  await (await openDatabase(config.database)).close();
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config, features), { logger: CLI_LOGGER });
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}
