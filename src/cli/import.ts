import { createReadStream } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { readArgs, runCli } from './run-cli';
import { openDatabase } from '../database/open-database';
import { BudgetAlerts } from '../budgets/budget-alerts';
import { Clock } from '../common/clock';
import { LedgerNumbers } from '../database/ledger-numbers';
import { ChatOutbox } from '../outbox/chat-outbox';
import { WriteBatcher } from '../database/write-batcher';
import { ExpensesService } from '../expenses/expenses.service';
import { importOptions } from '../imports/csv-rows';
import { ImportJobView, ImportsService } from '../imports/imports.service';
import { LedgersService } from '../ledgers/ledgers.service';
import { TokenCache } from '../ledgers/token-cache';

const USAGE =
  'usage: npm run import -- --ledger NAME [--decimal ,] [--date-format DD.MM.YYYY] [--delimiter ";"] FILE.csv';

/**
 * `npm run import -- --ledger NAME FILE`: imports a CSV into a ledger in this
 * process, with a progress bar on a terminal, and ends with the summary line
 * `rows N, recorded N, already present N, rejected N`. Running it again with
 * the same file records nothing new.
 */
runCli(async (config, args) => {
  const { values: flags, positional } = readArgs(args);
  if (positional.length > 1) throw new Error(`one file at a time, got ${positional.length}. ${USAGE}`);
  const file = positional[0];
  const name = flags.ledger?.trim();
  if (!name || !file) throw new Error(USAGE);
  const options = importOptions({
    decimal: flags.decimal,
    dateFormat: flags['date-format'] ?? flags.dateFormat,
    delimiter: flags.delimiter,
  });
  const input = createReadStream(file);
  await new Promise<void>((resolve, reject) =>
    input
      .once('open', () => resolve())
      .once('error', (error) => reject(new Error(`cannot read ${file}: ${error.message}`))),
  );

  const orm = await openDatabase(config.database);
  const numbers = new LedgerNumbers(orm.em);
  try {
    // The global EntityManager (not a fork): the write batcher's transactions are found through its context.
    const em = orm.em;
    const batcher = new WriteBatcher(em);
    const ledgers = new LedgersService(em, config, new TokenCache());
    // Budget alerts an import triggers are queued here and sent by the running server.
    const clock = new Clock();
    const alerts = new BudgetAlerts(clock, new ChatOutbox(em));
    const imports = new ImportsService(
      em,
      batcher,
      new ExpensesService(em, batcher, alerts, clock, numbers),
      ledgers,
      config,
    );
    const ledger = await ledgers.findOrCreate(name);
    const started = await imports.start(ledger, input, options, { runHere: true });

    const bar = process.stderr.isTTY
      ? new SingleBar({
          stream: process.stderr,
          format:
            'Importing |{bar}| {percentage}% | {rowsRead} rows, {recorded} recorded, {alreadyPresent} already present, {rejectedCount} rejected',
          hideCursor: true,
        })
      : undefined;
    bar?.start(Math.max(started.bytesTotal, 1), 0, counts(started));
    const job = await imports.runHere(started.id, (progress) => {
      bar?.update(progress.bytesRead, counts(progress));
      // Draw every committed batch now: the bar's own timer redraws at most every 100 ms and
      // would skip a batch that commits between two ticks.
      bar?.render();
    });
    bar?.update(job.bytesTotal, counts(job));
    bar?.stop();

    for (const rejected of job.rejected.slice(0, 10)) console.error(`line ${rejected.line}: ${rejected.message}`);
    if (job.rejectedCount > 10) console.error(`… and ${job.rejectedCount - 10} more rejected rows`);
    if (job.state !== 'done')
      throw new Error(`import failed: ${job.error ?? 'it did not finish; run the same command again to resume it'}`);
    console.log(
      `rows ${job.rowsRead}, recorded ${job.recorded}, already present ${job.alreadyPresent}, rejected ${job.rejectedCount}`,
    );
  } finally {
    await numbers.onApplicationShutdown();
    await orm.close();
  }
});

function counts(job: ImportJobView) {
  return {
    rowsRead: job.rowsRead,
    recorded: job.recorded,
    alreadyPresent: job.alreadyPresent,
    rejectedCount: job.rejectedCount,
  };
}
