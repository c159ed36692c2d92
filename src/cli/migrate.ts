import { runCli } from './run-cli';
import { openDatabase } from '../database/open-database';

/** `npm run migrate`: applies pending migrations (the server also does this on start). */
runCli(async (config) => {
  const orm = await openDatabase(config.databasePath);
  const executed = await orm.getMigrator().getExecutedMigrations();
  console.log(`database ${config.databasePath} is at migration ${executed[executed.length - 1]?.name ?? '(none)'}`);
  await orm.close();
});
