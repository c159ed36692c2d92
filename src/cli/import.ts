import { createReadStream } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { readArgs, runCli } from './run-cli';
import { withCliContext } from './cli.module';
import { importOptions } from '../imports/csv-rows';
import type { ImportJobView } from '../imports/import-jobs.repository';
import { ImportRunner } from '../imports/import-runner';
import { ImportUploads } from '../imports/import-uploads';
import { LedgersService } from '../ledgers/ledgers.service';
import { LedgersModule } from '../ledgers/ledgers.module';
import { ImportJobsModule } from '../imports/import-jobs.module';
import { BudgetsModule } from '../budgets/budgets.module';

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

  // Budgets registers the alerts an import may set off; the server sends them.
  await withCliContext(config, [LedgersModule, ImportJobsModule, BudgetsModule], async (app) => {
    const ledger = await app.get(LedgersService).findOrCreate(name);
    const started = await app.get(ImportUploads).start(ledger, input, options);

    const bar = process.stderr.isTTY
      ? new SingleBar({
          stream: process.stderr,
          format:
            'Importing |{bar}| {percentage}% | {rowsRead} rows, {recorded} recorded, {alreadyPresent} already present, {rejectedCount} rejected',
          hideCursor: true,
        })
      : undefined;
    bar?.start(Math.max(started.bytesTotal, 1), 0, counts(started));
    const job = await app.get(ImportRunner).runHere(started.id, (progress) => {
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
  });
});

function counts(job: ImportJobView) {
  return {
    rowsRead: job.rowsRead,
    recorded: job.recorded,
    alreadyPresent: job.alreadyPresent,
    rejectedCount: job.rejectedCount,
  };
}
