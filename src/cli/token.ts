import { readArgs, runCli } from './run-cli';
import { withCliContext } from './cli.module';
import { LedgersModule } from '../ledgers/ledgers.module';
import { LedgersService } from '../ledgers/ledgers.service';
import { TokenInfo, TokensService } from '../ledgers/tokens.service';

const USAGE = [
  'usage: npm run token -- create --ledger NAME [--label TEXT] [--expires-days N]',
  '       npm run token -- list [--ledger NAME] [--json]',
  '       npm run token -- revoke ID',
].join('\n');

/**
 * `npm run token -- create|list|revoke`. create prints the new token as the
 * last line of stdout (shown once); list never shows a token, only its id.
 */
runCli(async (config, args) => {
  const [command, ...rest] = args;
  const flags = readArgs(rest, ['json']);
  if (!['create', 'list', 'revoke'].includes(command ?? '')) throw new Error(USAGE);
  const name = flags.values.ledger?.trim();
  if (command === 'create') {
    if (!name) throw new Error(USAGE);
    if (name.length > 100 || name.startsWith('telegram:')) {
      throw new Error('--ledger must be at most 100 characters and not start with "telegram:" (reserved for chats)');
    }
  }
  if (command === 'revoke' && !/^\d{1,15}$/.test(flags.positional[0] ?? '')) throw new Error(USAGE);

  await withCliContext(config, [LedgersModule], async (app) => {
    const ledgers = app.get(LedgersService);
    const tokens = app.get(TokensService);
    if (command === 'create') {
      const expiresDays = flags.values['expires-days'] === undefined ? undefined : Number(flags.values['expires-days']);
      const ledger = await ledgers.findOrCreate(name!);
      const token = await tokens.issue(ledger, { label: flags.values.label, expiresDays });
      console.log(`Token for ledger "${ledger.name}" (shown once; keep it secret):`);
      console.log(token);
    } else if (command === 'list') {
      const ledger = name ? await ledgers.find(name) : undefined;
      if (name && !ledger) throw new Error(`no ledger named "${name}"`);
      const list = await tokens.list(ledger?.id);
      if (flags.switches.has('json')) console.log(JSON.stringify(list));
      else printTable(list);
    } else {
      const revoked = await tokens.revoke(Number(flags.positional[0]));
      console.log(
        `Revoked token ${revoked.id} of ledger "${revoked.ledger}"${revoked.label ? ` (${revoked.label})` : ''}; every instance refuses it within 5 seconds.`,
      );
    }
  });
});

function printTable(list: TokenInfo[]): void {
  if (list.length === 0) return void console.log('No tokens.');
  const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');
  const rows = [
    ['ID', 'LEDGER', 'LABEL', 'CREATED', 'LAST USED', 'EXPIRES'],
    ...list.map((t) => [String(t.id), t.ledger, t.label ?? '-', day(t.createdAt), day(t.lastUsedAt), day(t.expiresAt)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}
