import type { MigrationObject } from '@mikro-orm/core';
import type { Engine } from '../database/database-target';
import { Migration20261124000000 } from './sqlite/Migration20261124000000';
import { Migration20261125000000 } from './postgresql/Migration20261125000000';
import { Migration20261127000000 as SqliteEditing } from './sqlite/Migration20261127000000';
import { Migration20261127000000 as PostgresEditing } from './postgresql/Migration20261127000000';
import { Migration20261127120000 as SqliteImports } from './sqlite/Migration20261127120000';
import { Migration20261127120000 as PostgresImports } from './postgresql/Migration20261127120000';
import { Migration20261127140000 as SqliteTokens } from './sqlite/Migration20261127140000';
import { Migration20261127140000 as PostgresTokens } from './postgresql/Migration20261127140000';
import { Migration20261128000000 as SqliteBudgets } from './sqlite/Migration20261128000000';
import { Migration20261128000000 as PostgresBudgets } from './postgresql/Migration20261128000000';
import { Migration20261129000000 as SqliteMonths } from './sqlite/Migration20261129000000';
import { Migration20261129000000 as PostgresMonths } from './postgresql/Migration20261129000000';
import { Migration20261207000000 as SqliteNumbers } from './sqlite/Migration20261207000000';
import { Migration20261207000000 as PostgresNumbers } from './postgresql/Migration20261207000000';
import { Migration20261208000000 as SqliteChatClaims } from './sqlite/Migration20261208000000';
import { Migration20261208000000 as PostgresChatClaims } from './postgresql/Migration20261208000000';
import { Migration20261209000000 as SqliteSlackOutbox } from './sqlite/Migration20261209000000';
import { Migration20261209000000 as PostgresSlackOutbox } from './postgresql/Migration20261209000000';

/**
 * Every migration of each engine, in order. Listed here so the same list works
 * from src/ and dist/. Each schema change is written once per engine, under
 * the same name, and the suites run on both.
 */
export const MIGRATIONS: Record<Engine, MigrationObject[]> = {
  sqlite: [
    { name: 'Migration20261124000000', class: Migration20261124000000 },
    { name: 'Migration20261127000000', class: SqliteEditing },
    { name: 'Migration20261127120000', class: SqliteImports },
    { name: 'Migration20261127140000', class: SqliteTokens },
    { name: 'Migration20261128000000', class: SqliteBudgets },
    { name: 'Migration20261129000000', class: SqliteMonths },
    { name: 'Migration20261207000000', class: SqliteNumbers },
    { name: 'Migration20261208000000', class: SqliteChatClaims },
    { name: 'Migration20261209000000', class: SqliteSlackOutbox },
  ],
  postgresql: [
    { name: 'Migration20261125000000', class: Migration20261125000000 },
    { name: 'Migration20261127000000', class: PostgresEditing },
    { name: 'Migration20261127120000', class: PostgresImports },
    { name: 'Migration20261127140000', class: PostgresTokens },
    { name: 'Migration20261128000000', class: PostgresBudgets },
    { name: 'Migration20261129000000', class: PostgresMonths },
    { name: 'Migration20261207000000', class: PostgresNumbers },
    { name: 'Migration20261208000000', class: PostgresChatClaims },
    { name: 'Migration20261209000000', class: PostgresSlackOutbox },
  ],
};
