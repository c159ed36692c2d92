'use strict';
// The ceilings: bare node:http servers on the same SQLite driver, PRAGMAs,
// durability, tables and unique index as Tally, doing the same work as
// Tally's create — the insert-or-return-existing on (ledger, dedup key), the
// ledger's next short number, and the two daily-totals upserts — with no
// framework and no checks. `npm run bench` starts them on a database migrated
// by Tally's own migrations.
//
// CEILING_COMMIT=group (the default): the requests of one event-loop turn
// share one transaction, each in a savepoint, and each is answered after the
// shared COMMIT, as Tally's write batcher does. CEILING_COMMIT=request: one
// transaction (and one fsync) per request.
const { createServer } = require('node:http');
const { createHash } = require('node:crypto');
const Database = require('better-sqlite3');
// Tally's own connection settings and id maker (the build's), so both sides write the same pages.
const { SQLITE_PRAGMAS } = require('../dist/database/orm.config');
const { newId } = require('../dist/common/new-id');

const db = new Database(process.env.DATABASE_PATH);
for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
const ledgerId = Number(process.env.LEDGER_ID);
const GROUP = (process.env.CEILING_COMMIT ?? 'group') === 'group';

const insert = db.prepare(`insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
  values (?, ?, ?, ?, ?, ?, ?, 'api', ?, 1, ?, ?) on conflict do nothing returning seq`);
const takeNumber = db.prepare('update ledger set last_number = last_number + 1 where id = ? returning last_number');
const returnNumber = db.prepare('update ledger set last_number = last_number - 1 where id = ? and last_number = ?');
const existing = db.prepare('select id, amount_minor, currency, category, description, date, created_at from expense where ledger_id = ? and dedup_key = ? and deleted_at is null');
const move = db.prepare(`insert into expense_day (ledger_id, category, date, currency, count, total_minor) values (?, ?, ?, 'USD', 1, ?)
  on conflict (ledger_id, category, currency, date) do update set count = expense_day.count + 1, total_minor = expense_day.total_minor + excluded.total_minor`);
const moveMonth = db.prepare(`insert into expense_month (ledger_id, category, month, currency, count, total_minor) values (?, ?, ?, 'USD', 1, ?)
  on conflict (ledger_id, category, currency, month) do update set count = expense_month.count + 1, total_minor = expense_month.total_minor + excluded.total_minor`);

function create(input) {
  const [whole, fraction = ''] = String(input.amount).split('.');
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  const category = String(input.category).trim().toLowerCase();
  const description = String(input.description ?? '').trim();
  const date = input.date ?? new Date().toISOString().slice(0, 10);
  const key = createHash('sha256').update(JSON.stringify([ledgerId, minor, 'USD', category, description.toLowerCase(), date, 1])).digest('base64url');
  const id = newId();
  const createdAt = new Date().toISOString();
  const number = takeNumber.get(ledgerId).last_number;
  if (insert.get(id, ledgerId, minor, 'USD', category, description, date, key, createdAt, number)) {
    for (const rollup of [category, '']) move.run(ledgerId, rollup, date, minor);
    for (const rollup of [category, '']) moveMonth.run(ledgerId, rollup, date.slice(0, 7), minor);
    return [201, { id, number, amount: (minor / 100).toFixed(2), currency: 'USD', category, description, date, createdAt }];
  }
  returnNumber.run(ledgerId, number);
  const row = existing.get(ledgerId, key);
  return [200, { id: row.id, amount: (row.amount_minor / 100).toFixed(2), currency: row.currency, category: row.category, description: row.description, date: row.date, createdAt: row.created_at }];
}

const commitOne = db.transaction(create);

let queue = [];
function flushGroup() {
  const batch = queue;
  queue = [];
  const outcomes = [];
  try {
    db.exec('begin immediate');
    for (const item of batch) {
      db.exec('savepoint w');
      try {
        outcomes.push(create(item.input));
        db.exec('release w');
      } catch (error) {
        db.exec('rollback to w');
        db.exec('release w');
        outcomes.push([400, { message: error.message }]);
      }
    }
    db.exec('commit');
  } catch (error) {
    if (db.inTransaction) db.exec('rollback');
    return batch.forEach((item) => item.answer(500, { message: error.message }));
  }
  batch.forEach((item, i) => item.answer(...outcomes[i]));
}

const server = createServer((request, response) => {
  const answer = (status, json) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(json));
  };
  if (request.url === '/health') return answer(200, { status: 'ok' });
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    let input;
    try {
      input = JSON.parse(body);
    } catch (error) {
      return answer(400, { message: error.message });
    }
    if (!GROUP) {
      try {
        return answer(...commitOne(input));
      } catch (error) {
        return answer(400, { message: error.message });
      }
    }
    queue.push({ input, answer });
    // After the I/O phase, so every request read in this turn joins the batch.
    if (queue.length === 1) setImmediate(flushGroup);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => (db.close(), process.exit(0))));
