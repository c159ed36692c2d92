import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir } from './support/app';
import { auditQuery, operatorSql } from './support/database-file';
import { ENGINES, freshDatabase, TestDatabase } from './support/engines';
import { ROOT, childEnv } from './support/server-process';

/** `npm run import -- --ledger NAME FILE` (the built script), as a user runs it, on both engines. */
describe.each(ENGINES)('%s', (engine) => {
  let dir: string;
  let db: TestDatabase;
  beforeAll(async () => {
    dir = tempDir();
    db = await freshDatabase(engine, dir);
  });
  afterAll(async () => {
    await db.drop();
    removeDir(dir);
  });

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'import.js'), ...args], {
      cwd: dir,
      env: { ...childEnv(), DATABASE_URL: db.url },
      encoding: 'utf8',
    });

  it('imports, ends with the summary line, names rejected lines, and the same file again records nothing', async () => {
    const file = join(dir, 'bank.csv');
    writeFileSync(
      file,
      'Date;Amount;Category;Description\n24.11.2026;12,50;food;lunch\n24.11.2026;12,50;food;lunch\n25.11.2026;3;;x\n26.11.2026;7,25;taxi;\n',
    );
    const first = run('--ledger', 'home', '--decimal', ',', '--date-format', 'DD.MM.YYYY', '--delimiter', ';', file);
    expect(first.stderr).toContain('line 4: category must be 1-64 characters');
    expect([first.status, first.stdout.trim()]).toEqual([0, 'rows 4, recorded 3, already present 0, rejected 1']);
    const again = run('--ledger', 'home', '--decimal', ',', '--date-format', 'DD.MM.YYYY', '--delimiter', ';', file);
    expect([again.status, again.stdout.trim()]).toEqual([0, 'rows 4, recorded 0, already present 3, rejected 1']);
    const rows = await auditQuery<{ n: string }>(
      db.target,
      "select count(*) as n from expense e join ledger l on l.id = e.ledger_id where l.name = 'home' and e.deleted_at is null",
    );
    expect(Number(rows[0].n)).toBe(3);
  });

  it("queues the budget alert an import crosses, once, for the server to send to the ledger's chat", async () => {
    // A group chat's ledger with a 10.00 food budget; the import's rows fall in this month (the CLI's clock).
    const today = new Date().toISOString().slice(0, 10);
    const migrated = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'migrate.js')], {
      cwd: dir,
      env: { ...childEnv(), DATABASE_URL: db.url },
      encoding: 'utf8',
    });
    expect(migrated.status).toBe(0);
    await operatorSql(
      db.target,
      "insert into ledger (name, currency, timezone, created_at) values ('telegram:-1001', 'USD', 'UTC', ?)",
      new Date().toISOString(),
    );
    await operatorSql(
      db.target,
      "insert into budget (ledger_id, category, currency, amount_minor, created_at, updated_at) select id, 'food', 'USD', 1000, ?, ? from ledger where name = 'telegram:-1001'",
      new Date().toISOString(),
      new Date().toISOString(),
    );
    const file = join(dir, 'budget.csv');
    writeFileSync(file, `date,amount,category\n${today},6,food\n${today},7,food\n`);
    for (let i = 0; i < 2; i++) expect(run('--ledger', 'telegram:-1001', file).status).toBe(0);
    const queued = await auditQuery<{ platform: string; address: string; text: string }>(
      db.target,
      'select platform, address, text from chat_message order by id',
    );
    expect(queued.map((row) => [row.platform, row.address, row.text.split(':')[0]])).toEqual([
      ['telegram', '-1001', 'Budget exceeded'],
    ]);
  });

  it('shows a progress bar on a terminal', () => {
    const file = join(dir, 'tty.csv');
    writeFileSync(
      file,
      ['date,amount,category', ...Array.from({ length: 5000 }, (_, i) => `2026-11-01,${i + 1},tty`)].join('\n'),
    );
    // `script` gives the command a pseudo-terminal, as an interactive shell would.
    const result = spawnSync(
      'script',
      ['-qec', `${process.execPath} ${join(ROOT, 'dist', 'cli', 'import.js')} --ledger tty ${file}`, '/dev/null'],
      {
        cwd: dir,
        env: { ...childEnv(), DATABASE_URL: db.url, TERM: 'xterm' },
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Importing \|[=-]+\| \d+% \| 2000 rows/);
    expect(result.stdout).toMatch(/Importing \|=+\| 100% \| 5000 rows, 5000 recorded/);
    expect(result.stdout).toContain('rows 5000, recorded 5000, already present 0, rejected 0');
  });

  it('says what is wrong: no file, no ledger, a bad option, a file that is not there, a file without the columns', () => {
    expect(run('--ledger', 'home').stderr).toMatch(/^usage: npm run import -- --ledger NAME/);
    expect(run('x.csv').stderr).toMatch(/^usage:/);
    const badOption = run('--ledger', 'home', '--decimal', 'x', 'x.csv');
    expect([badOption.status, badOption.stderr.trim()]).toEqual([1, 'decimal must be "." or ","']);
    const missing = run('--ledger', 'home', join(dir, 'nope.csv'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^cannot read .*nope\.csv: ENOENT/);
    const wrong = join(dir, 'wrong.csv');
    writeFileSync(wrong, 'when,how much\n2026-11-01,5\n');
    const columns = run('--ledger', 'home', wrong);
    expect(columns.status).toBe(1);
    expect(columns.stderr).toMatch(/the header must name the columns date, amount, category/);
  });
});
