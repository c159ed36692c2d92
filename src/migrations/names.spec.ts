import { MIGRATIONS } from './index';
import { MIGRATION_NAMES } from './names';

describe('migration names', () => {
  it.each(['sqlite', 'postgresql'] as const)(
    '%s: the light list of names is the migration list, in order',
    (engine) => {
      expect(MIGRATION_NAMES[engine]).toEqual(MIGRATIONS[engine].map((migration) => migration.name));
    },
  );
});
