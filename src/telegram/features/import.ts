import { Composer } from 'grammy';
import { DomainError } from '../../common/domain-errors';
import { importOptions, ImportOptions } from '../../imports/csv-rows';
import type { ImportJobView } from '../../imports/import-jobs.repository';
import type { BotContext } from '../bot-context';
import type { BotDeps } from '../bot-deps';

/** Telegram lets bots download files up to 20 MB. */
export const BOT_FILE_LIMIT = 20 * 1024 * 1024;

/**
 * A CSV document sent to the chat is imported into its ledger (docs/API.md §9).
 * The update and its import job commit together; the import runs in the
 * background and edits one progress message, then sends the summary.
 */
export function importFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.on('message:document', async (ctx, next) => {
    const document = ctx.message.document;
    const name = document.file_name ?? 'file';
    if (!/\.csv$/i.test(name) && !/csv/i.test(document.mime_type ?? '')) return next();
    const done = await ctx.once(async (ledger, tx): Promise<{ error: string } | { id: string }> => {
      if ((document.file_size ?? 0) > BOT_FILE_LIMIT) {
        return {
          error: `${name} is larger than 20 MB, the most Telegram lets a bot download. Import it on the web page or with npm run import.`,
        };
      }
      let options: ImportOptions;
      try {
        options = captionOptions(ctx.message.caption ?? '');
      } catch (error) {
        if (error instanceof DomainError)
          return {
            error: `Not imported: ${error.message}. Options go in the caption, e.g. decimal=, dateFormat=DD.MM.YYYY delimiter=;`,
          };
        throw error;
      }
      const id = await deps.imports.queueTelegramFile(tx, ledger, document.file_id, options, {
        chatId: ctx.chat.id,
        sourceKey: `telegram:${ctx.me.id}:${ctx.update.update_id}`,
      });
      return { id };
    });
    if (!done) return;
    const outcome = done.value;
    if ('error' in outcome) return void (await ctx.reply(outcome.error));
    const progress = await ctx.reply(`Importing ${name}…`);
    await deps.imports.setProgressMessage(outcome.id, ctx.chat.id, progress.message_id);
    deps.importWorker.kick();
  });

  return feature;
}

/** `decimal=, dateFormat=DD.MM.YYYY delimiter=;` in the document's caption. */
function captionOptions(caption: string): ImportOptions {
  const pairs = Object.fromEntries(
    caption
      .split(/\s+/u)
      .filter((word) => word.includes('='))
      .map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
  );
  return importOptions(pairs);
}

/** The progress message's text while an import runs, and the summary once it ended. */
export function importProgressText(job: ImportJobView): string {
  const counts = `${job.rowsRead} rows read: ${job.recorded} recorded, ${job.alreadyPresent} already present, ${job.rejectedCount} rejected`;
  if (job.state === 'running') {
    const percent = job.bytesTotal ? Math.floor((100 * job.bytesRead) / job.bytesTotal) : 0;
    return `Importing… ${percent}%\n${counts}`;
  }
  if (job.state === 'failed') return `Import failed: ${job.error ?? 'unknown error'}`;
  const rejected = job.rejected.slice(0, 5).map((row) => `line ${row.line}: ${row.message}`);
  const more =
    job.rejectedCount > rejected.length ? [`… and ${job.rejectedCount - rejected.length} more rejected`] : [];
  return [`Import done. ${counts}.`, ...rejected, ...more].join('\n');
}
