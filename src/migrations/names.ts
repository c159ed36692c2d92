import type { Engine } from '../database/database-target';

/**
 * The names of each engine's migrations, in order, without their code: enough
 * to tell at start-up whether anything is pending, so that the migrator (and
 * the command-line parser it brings, about a tenth of start-up) loads only
 * when there is. ./index.ts pairs each name with its class; a spec checks the
 * two lists agree.
 */
export const MIGRATION_NAMES: Record<Engine, string[]> = {
  sqlite: [
    'Migration20261124000000',
    'Migration20261127000000',
    'Migration20261127120000',
    'Migration20261127140000',
    'Migration20261128000000',
    'Migration20261129000000',
    'Migration20261207000000',
    'Migration20261208000000',
    'Migration20261209000000',
  ],
  postgresql: [
    'Migration20261125000000',
    'Migration20261127000000',
    'Migration20261127120000',
    'Migration20261127140000',
    'Migration20261128000000',
    'Migration20261129000000',
    'Migration20261207000000',
    'Migration20261208000000',
    'Migration20261209000000',
  ],
};
