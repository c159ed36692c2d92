'use strict';
// The ceiling: a bare node:http server on the same SQLite driver, PRAGMAs,
// durability, table and unique index as Tally, with the same
// insert-or-return-existing, and no framework. `npm run bench` starts it on a
// database migrated by Tally's own migrations.
const { createServer } = require('node:http');
const { createHash, randomBytes } = require('node:crypto');
const Database = require('better-sqlite3');

const db = new Database(process.env.DATABASE_PATH);
for (const pragma of ['journal_mode = WAL', 'synchronous = FULL', 'busy_timeout = 5000', 'foreign_keys = ON']) db.pragma(pragma);
const ledgerId = Number(process.env.LEDGER_ID);

const insert = db.prepare(`insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
  values (?, ?, ?, ?, ?, ?, ?, 'api', ?, 1, ?, ?) on conflict do nothing returning seq`);
// The ledger's next short number, given back when the insert finds a duplicate, as Tally does.
const takeNumber = db.prepare('update ledger set last_number = last_number + 1 where id = ? returning last_number');
const returnNumber = db.prepare('update ledger set last_number = last_number - 1 where id = ? and last_number = ?');
const existing = db.prepare('select id, amount_minor, currency, category, description, date, created_at from expense where ledger_id = ? and dedup_key = ? and deleted_at is null');

function handle(body) {
  const input = JSON.parse(body);
  const [whole, fraction = ''] = String(input.amount).split('.');
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  const category = String(input.category).trim().toLowerCase();
  const description = String(input.description ?? '').trim();
  const date = input.date ?? new Date().toISOString().slice(0, 10);
  const key = createHash('sha256').update(JSON.stringify([ledgerId, minor, 'USD', category, description.toLowerCase(), date, 1])).digest('base64url');
  const id = randomBytes(10).toString('hex').slice(0, 16);
  const createdAt = new Date().toISOString();
  const number = takeNumber.get(ledgerId).last_number;
  if (insert.get(id, ledgerId, minor, 'USD', category, description, date, key, createdAt, number)) {
    return [201, { id, number, amount: (minor / 100).toFixed(2), currency: 'USD', category, description, date, createdAt }];
  }
  returnNumber.run(ledgerId, number);
  const row = existing.get(ledgerId, key);
  return [200, { id: row.id, amount: (row.amount_minor / 100).toFixed(2), currency: row.currency, category: row.category, description: row.description, date: row.date, createdAt: row.created_at }];
}

const server = createServer((request, response) => {
  if (request.url === '/health') return response.end('{"status":"ok"}');
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    try {
      const [status, json] = handle(body);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    } catch (error) {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: error.message }));
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => (db.close(), process.exit(0))));
