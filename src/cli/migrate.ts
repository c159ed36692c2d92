import { runCli } from './run-cli';
import { migrator, openDatabase } from '../database/open-database';
import { describeTarget } from '../database/database-target';

/** `npm run migrate`: applies pending migrations (the server also does this on start). */
runCli(async (config) => {
  const orm = await openDatabase(config.database);
  const executed = await (await migrator(orm)).getExecutedMigrations();
  console.log(
    `database ${describeTarget(config.database)} is at migration ${executed[executed.length - 1]?.name ?? '(none)'}`,
  );
  await orm.close();
});
