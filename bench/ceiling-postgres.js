'use strict';
// The PostgreSQL ceiling: a bare node:http server on node-postgres with the
// same work as Tally's create — the insert-or-return-existing on the unique
// (ledger, dedup key) index, the short number drawn outside the batch, and the
// daily and monthly upserts in key order before COMMIT — and the same group
// commit: the requests of one event-loop turn share one transaction, each in
// a savepoint (left open when the write succeeds, as Tally leaves it, and
// followed by the write's insert without waiting for its answer), each
// answered after COMMIT. No framework, no checks.
const { createServer } = require('node:http');
const { createHash } = require('node:crypto');
// Tally's id maker (the build's), so both sides write the same index pages.
const { newId } = require('../dist/common/new-id');
const { Client } = require('pg');

// The ledger is the request's bearer token ("Bearer 7" is ledger 7), so load can spread over many ledgers.
const INSERT = `insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
  values ($1, $2, $3, 'USD', $4, $5, $6, 'api', $7, 1, $8, $9) on conflict do nothing returning seq`;
// Short numbers as Tally draws them on PostgreSQL: in a transaction of their own on a second connection,
// committed without waiting for the WAL flush, so no writer holds a ledger's counter across its COMMIT.
const DRAW = `begin; set local synchronous_commit = off;
  insert into ledger_number (ledger_id, last_number) values ($LEDGER, 1)
  on conflict (ledger_id) do update set last_number = ledger_number.last_number + 1 returning last_number; commit`;
const EXISTING =
  'select id, amount_minor, category, description, date, created_at from expense where ledger_id = $1 and dedup_key = $2 and deleted_at is null';
// A batch's rollup rows, one statement per table from arrays in key order, as Tally writes them on PostgreSQL.
const MOVE = `insert into expense_day (ledger_id, category, date, currency, count, total_minor)
  select * from unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::bigint[])
  on conflict (ledger_id, category, currency, date) do update set count = expense_day.count + excluded.count, total_minor = expense_day.total_minor + excluded.total_minor`;
const MOVE_MONTH = `insert into expense_month (ledger_id, category, month, currency, count, total_minor)
  select * from unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::bigint[])
  on conflict (ledger_id, category, currency, month) do update set count = expense_month.count + excluded.count, total_minor = expense_month.total_minor + excluded.total_minor`;

const db = new Client({ connectionString: process.env.DATABASE_URL });
const numbers = new Client({ connectionString: process.env.DATABASE_URL });
let queue = [];
let flushing = false;

async function draw(ledgerId) {
  const results = await numbers.query(DRAW.replace('$LEDGER', String(ledgerId)));
  return Number(results.find((result) => result.rows.length).rows[0].last_number);
}

async function create(ledgerId, input, moves) {
  const [whole, fraction = ''] = String(input.amount).split('.');
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  const category = String(input.category).trim().toLowerCase();
  const description = String(input.description ?? '').trim();
  const date = input.date ?? new Date().toISOString().slice(0, 10);
  const key = createHash('sha256')
    .update(JSON.stringify([ledgerId, minor, 'USD', category, description.toLowerCase(), date, 1]))
    .digest('base64url');
  const id = newId();
  const createdAt = new Date().toISOString();
  const inserted = await db.query({
    name: 'insert',
    text: INSERT,
    values: [id, ledgerId, minor, category, description, date, key, createdAt, input.number],
  });
  if (inserted.rowCount) {
    for (const cat of [category, '']) moves.push([ledgerId, cat, date, minor]);
    return [
      201,
      {
        id,
        number: input.number,
        amount: (minor / 100).toFixed(2),
        currency: 'USD',
        category,
        description,
        date,
        createdAt,
      },
    ];
  }
  const row = (await db.query({ name: 'existing', text: EXISTING, values: [ledgerId, key] })).rows[0];
  return [
    200,
    {
      id: row.id,
      amount: (Number(row.amount_minor) / 100).toFixed(2),
      currency: 'USD',
      category: row.category,
      description: row.description,
      date: row.date,
      createdAt: row.created_at,
    },
  ];
}

/** A batch's rollup changes, summed per row, days then months, each in key order, as Tally does. */
async function applyMoves(moves) {
  for (const [text, name, width] of [
    [MOVE, 'move', 10],
    [MOVE_MONTH, 'move_month', 7],
  ]) {
    const rows = new Map();
    for (const [ledgerId, category, date, minor] of moves) {
      const key = [String(ledgerId).padStart(12, '0'), category, date.slice(0, width)].join('\u0000');
      const row = rows.get(key) ?? { values: [ledgerId, category, date.slice(0, width)], count: 0, total: 0 };
      row.count += 1;
      row.total += minor;
      rows.set(key, row);
    }
    const sorted = [...rows.keys()].sort().map((key) => rows.get(key));
    const column = (i) => sorted.map((row) => row.values[i]);
    await db.query({
      name,
      text,
      values: [
        column(0),
        column(1),
        column(2),
        sorted.map(() => 'USD'),
        sorted.map((row) => row.count),
        sorted.map((row) => String(row.total)),
      ],
    });
  }
}

async function flush() {
  while (queue.length) {
    const batch = queue.splice(0, 128);
    const outcomes = [];
    const moves = [];
    try {
      await db.query('begin');
      for (const item of batch) {
        // The insert follows the SAVEPOINT without waiting for its answer, as Tally's writes do.
        const opened = db.query('savepoint w');
        opened.catch(() => undefined);
        try {
          const outcome = await create(item.ledgerId, item.input, moves);
          await opened;
          outcomes.push(outcome);
        } catch (error) {
          await opened;
          await db.query('rollback to savepoint w');
          outcomes.push([400, { message: error.message }]);
        }
      }
      await applyMoves(moves);
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
    const ledgerId = Number(/^Bearer (\d+)$/.exec(request.headers.authorization ?? '')?.[1] ?? 1);
    // The number is drawn before the write joins a batch, so concurrent draws overlap.
    draw(ledgerId).then(
      (number) => {
        queue.push({ ledgerId, input: { ...input, number }, answer });
        if (!flushing) {
          flushing = true;
          setImmediate(() => void flush());
        }
      },
      (error) => answer(500, { message: error.message }),
    );
  });
});

Promise.all([db.connect(), numbers.connect()]).then(() =>
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
    console.log(`listening on http://127.0.0.1:${server.address().port}`),
  ),
);
process.on('SIGTERM', () => server.close(() => Promise.all([db.end(), numbers.end()]).then(() => process.exit(0))));
