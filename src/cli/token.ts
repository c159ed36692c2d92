import { runCli } from './run-cli';
import { openDatabase } from '../database/open-database';
import { LedgersService } from '../ledgers/ledgers.service';
import { TokensService } from '../ledgers/tokens.service';
import { TokenCache } from '../ledgers/token-cache';

const USAGE = 'usage: npm run token -- create --ledger NAME';

/** `npm run token -- create --ledger NAME`: prints a new API token as the last line of stdout. */
runCli(async (config, args) => {
  const ledgerAt = args.indexOf('--ledger');
  const name = ledgerAt >= 0 ? args[ledgerAt + 1]?.trim() : undefined;
  if (args[0] !== 'create' || !name) throw new Error(USAGE);
  if (name.length > 100 || name.startsWith('telegram:')) {
    throw new Error('--ledger must be at most 100 characters and not start with "telegram:" (reserved for chats)');
  }
  const orm = await openDatabase(config.database);
  try {
    const em = orm.em.fork();
    const cache = new TokenCache();
    const ledger = await new LedgersService(em, config, cache).findOrCreate(name);
    const token = await new TokensService(em, cache).issue(ledger);
    console.log(`Token for ledger "${ledger.name}" (shown once; keep it secret):`);
    console.log(token);
  } finally {
    await orm.close();
  }
});
