import { DynamicModule, INestApplicationContext, LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { AppConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { DatabaseModule } from '../database/database.module';
import { openDatabase } from '../database/open-database';
import { ormConfig } from '../database/orm.config';
import { ExpensesModule } from '../expenses/expenses.module';
import { ImportJobsModule } from '../imports/import-jobs.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { OutboxModule } from '../outbox/outbox.module';

/**
 * The application's own modules, wired by Nest as the server wires them, for
 * the command-line tools: no HTTP, no chat bots, no background workers (the
 * running server sends what a tool queues, such as budget alerts).
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        MikroOrmModule.forRoot({ ...ormConfig(config.database), registerRequestContext: false }),
        DatabaseModule,
        OutboxModule,
        LedgersModule,
        ExpensesModule,
        // Registers the budget alerts that recorded expenses may trigger.
        BudgetsModule,
        ImportJobsModule,
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

/** Runs `use` with the CLI's application context on a reachable, migrated database, and closes it after. */
export async function withCliContext<T>(
  config: AppConfig,
  use: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  // Migrated first, on a connection of its own: the modules' start-up hooks read their tables.
  await (await openDatabase(config.database)).close();
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: CLI_LOGGER });
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}
