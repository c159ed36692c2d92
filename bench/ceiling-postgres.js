'use strict';
// The PostgreSQL ceiling: a bare node:http server on node-postgres with the
// same work as Tally's create — the insert-or-return-existing on the unique
// (ledger, dedup key) index and the two daily-totals upserts — and the same
// group commit: the requests of one event-loop turn share one transaction,
// each in a savepoint, each answered after COMMIT. No framework, no checks.
const { createServer } = require('node:http');
const { createHash } = require('node:crypto');
// Tally's id maker (the build's), so both sides write the same index pages.
const { newId } = require('../dist/common/new-id');
const { Client } = require('pg');

const ledgerId = Number(process.env.LEDGER_ID);
const INSERT = `insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
  values ($1, $2, $3, 'USD', $4, $5, $6, 'api', $7, 1, $8, $9) on conflict do nothing returning seq`;
// The ledger's next short number (locking the ledger's row until COMMIT), given back on a duplicate, as Tally does.
const TAKE_NUMBER = 'update ledger set last_number = last_number + 1 where id = $1 returning last_number';
const RETURN_NUMBER = 'update ledger set last_number = last_number - 1 where id = $1 and last_number = $2';
const EXISTING = 'select id, amount_minor, category, description, date, created_at from expense where ledger_id = $1 and dedup_key = $2 and deleted_at is null';
const MOVE = `insert into expense_day (ledger_id, category, date, currency, count, total_minor) values ($1, $2, $3, 'USD', 1, $4)
  on conflict (ledger_id, category, currency, date) do update set count = expense_day.count + 1, total_minor = expense_day.total_minor + excluded.total_minor`;
const MOVE_MONTH = `insert into expense_month (ledger_id, category, month, currency, count, total_minor) values ($1, $2, $3, 'USD', 1, $4)
  on conflict (ledger_id, category, currency, month) do update set count = expense_month.count + 1, total_minor = expense_month.total_minor + excluded.total_minor`;

const db = new Client({ connectionString: process.env.DATABASE_URL });
let queue = [];
let flushing = false;

async function create(input) {
  const [whole, fraction = ''] = String(input.amount).split('.');
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  const category = String(input.category).trim().toLowerCase();
  const description = String(input.description ?? '').trim();
  const date = input.date ?? new Date().toISOString().slice(0, 10);
  const key = createHash('sha256').update(JSON.stringify([ledgerId, minor, 'USD', category, description.toLowerCase(), date, 1])).digest('base64url');
  const id = newId();
  const createdAt = new Date().toISOString();
  const number = Number((await db.query({ name: 'take', text: TAKE_NUMBER, values: [ledgerId] })).rows[0].last_number);
  const inserted = await db.query({ name: 'insert', text: INSERT, values: [id, ledgerId, minor, category, description, date, key, createdAt, number] });
  if (inserted.rowCount) {
    for (const cat of [category, '']) await db.query({ name: 'move', text: MOVE, values: [ledgerId, cat, date, minor] });
    for (const cat of [category, '']) await db.query({ name: 'move_month', text: MOVE_MONTH, values: [ledgerId, cat, date.slice(0, 7), minor] });
    return [201, { id, number, amount: (minor / 100).toFixed(2), currency: 'USD', category, description, date, createdAt }];
  }
  await db.query({ name: 'return', text: RETURN_NUMBER, values: [ledgerId, number] });
  const row = (await db.query({ name: 'existing', text: EXISTING, values: [ledgerId, key] })).rows[0];
  return [200, { id: row.id, amount: (Number(row.amount_minor) / 100).toFixed(2), currency: 'USD', category: row.category, description: row.description, date: row.date, createdAt: row.created_at }];
}

async function flush() {
  while (queue.length) {
    const batch = queue.splice(0, 128);
    const outcomes = [];
    try {
      await db.query('begin');
      for (const item of batch) {
        await db.query('savepoint w');
        try {
          outcomes.push(await create(item.input));
          await db.query('release savepoint w');
        } catch (error) {
          await db.query('rollback to savepoint w');
          outcomes.push([400, { message: error.message }]);
        }
      }
      await db.query('commit');
      batch.forEach((item, i) => item.answer(...outcomes[i]));
    } catch (error) {
      await db.query('rollback').catch(() => undefined);
      batch.forEach((item) => item.answer(500, { message: error.message }));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  flushing = false;
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
    queue.push({ input, answer });
    if (!flushing) {
      flushing = true;
      setImmediate(() => void flush());
    }
  });
});

db.connect().then(() =>
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`)),
);
process.on('SIGTERM', () => server.close(() => db.end().then(() => process.exit(0))));
