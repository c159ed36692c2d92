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
//
// With BOT_API_ROOT, BOT_TOKEN and WEBHOOK_SECRET it also serves POST
// /telegram/webhook as Tally's bot does an /add: the secret header checked,
// the update id claimed in the same transaction as the expense, which goes to
// the chat's own ledger, then after COMMIT one sendMessage to the Bot API, and
// the webhook answered once that call has returned.
const { Agent, createServer, request: httpRequest } = require('node:http');
const { createHash } = require('node:crypto');
const Database = require('better-sqlite3');
// Tally's own connection settings and id maker (the build's), so both sides write the same pages.
const { SQLITE_PRAGMAS } = require('../dist/database/orm.config');
const { newId } = require('../dist/common/new-id');

const db = new Database(process.env.DATABASE_PATH);
for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
const API_LEDGER = Number(process.env.LEDGER_ID);
const GROUP = (process.env.CEILING_COMMIT ?? 'group') === 'group';

const insert =
  db.prepare(`insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
  values (?, ?, ?, ?, ?, ?, ?, 'api', ?, 1, ?, ?) on conflict do nothing returning seq`);
const takeNumber = db.prepare(
  'insert into ledger_number (ledger_id, last_number) values (?, 1) on conflict (ledger_id) do update set last_number = ledger_number.last_number + 1 returning last_number',
);
const returnNumber = db.prepare(
  'update ledger_number set last_number = last_number - 1 where ledger_id = ? and last_number = ?',
);
const existing = db.prepare(
  'select id, amount_minor, currency, category, description, date, created_at from expense where ledger_id = ? and dedup_key = ? and deleted_at is null',
);
const move =
  db.prepare(`insert into expense_day (ledger_id, category, date, currency, count, total_minor) values (?, ?, ?, 'USD', 1, ?)
  on conflict (ledger_id, category, currency, date) do update set count = expense_day.count + 1, total_minor = expense_day.total_minor + excluded.total_minor`);
const moveMonth =
  db.prepare(`insert into expense_month (ledger_id, category, month, currency, count, total_minor) values (?, ?, ?, 'USD', 1, ?)
  on conflict (ledger_id, category, currency, month) do update set count = expense_month.count + 1, total_minor = expense_month.total_minor + excluded.total_minor`);

function create(input, ledgerId = API_LEDGER) {
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
  const number = takeNumber.get(ledgerId).last_number;
  if (insert.get(id, ledgerId, minor, 'USD', category, description, date, key, createdAt, number)) {
    for (const rollup of [category, '']) move.run(ledgerId, rollup, date, minor);
    for (const rollup of [category, '']) moveMonth.run(ledgerId, rollup, date.slice(0, 7), minor);
    return [
      201,
      { id, number, amount: (minor / 100).toFixed(2), currency: 'USD', category, description, date, createdAt },
    ];
  }
  returnNumber.run(ledgerId, number);
  const row = existing.get(ledgerId, key);
  return [
    200,
    {
      id: row.id,
      amount: (row.amount_minor / 100).toFixed(2),
      currency: row.currency,
      category: row.category,
      description: row.description,
      date: row.date,
      createdAt: row.created_at,
    },
  ];
}

const claimUpdate = db.prepare(
  "insert into chat_claim (platform, claim_key, claimed_at) values ('telegram', ?, ?) on conflict do nothing",
);
const addLedger = db.prepare(
  "insert into ledger (name, currency, timezone, created_at) values (?, 'USD', 'UTC', ?) on conflict (name) do nothing",
);
const findLedger = db.prepare('select id from ledger where name = ?');
const BOT_ID = Number(String(process.env.BOT_TOKEN).split(':')[0]);
/** Chat ledgers by chat id, as Tally keeps its recent ledgers in memory. */
const chatLedgers = new Map();

function chatLedger(chatId) {
  let id = chatLedgers.get(chatId);
  if (id === undefined) {
    const name = `telegram:${chatId}`;
    addLedger.run(name, new Date().toISOString());
    id = findLedger.get(name).id;
    chatLedgers.set(chatId, id);
  }
  return id;
}

/** An "/add AMOUNT CATEGORY DESCRIPTION" update: [200, the reply's text], or [200, null] for an update seen before. */
function addFromUpdate(update) {
  if (claimUpdate.run(`${BOT_ID}:${update.update_id}`, Date.now()).changes === 0) return [200, null];
  const { chat, date, text } = update.message;
  const [, amount, category, ...description] = text.split(/\s+/);
  // The day the message was sent, as Tally dates a Telegram expense.
  const input = {
    amount,
    category,
    description: description.join(' '),
    date: new Date(date * 1000).toISOString().slice(0, 10),
  };
  const [status, expense] = create(input, chatLedger(chat.id));
  const summary = `${expense.amount} USD ${expense.category} — ${expense.description}`;
  return [
    200,
    {
      chat_id: chat.id,
      text:
        status === 201
          ? `Recorded ${summary} as #${expense.number}. /undo removes it.`
          : `This is already recorded: ${summary}.`,
    },
  ];
}

const botApi = new Agent({ keepAlive: true });

/** One Bot API call on a keep-alive connection; done() once its answer has been read. */
function sendMessage(message, done) {
  const url = `${process.env.BOT_API_ROOT}/bot${process.env.BOT_TOKEN}/sendMessage`;
  const request = httpRequest(
    url,
    { method: 'POST', agent: botApi, headers: { 'content-type': 'application/json' } },
    (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => done(JSON.parse(text).ok ? undefined : new Error(text)));
    },
  );
  request.on('error', done);
  request.end(JSON.stringify(message));
}

const commitOne = db.transaction((work) => work());

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
        outcomes.push(item.work());
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
    let work = () => create(input);
    let respond = answer;
    if (request.url === '/telegram/webhook') {
      if (request.headers['x-telegram-bot-api-secret-token'] !== process.env.WEBHOOK_SECRET)
        return answer(401, { message: 'wrong secret' });
      work = () => addFromUpdate(input);
      // The webhook is answered after the reply has gone out, as Tally's is.
      respond = (status, reply) => {
        if (status !== 200 || !reply) return answer(status, {});
        sendMessage(reply, (error) => answer(error ? 500 : 200, {}));
      };
    }
    if (!GROUP) {
      try {
        return respond(...commitOne(work));
      } catch (error) {
        return respond(400, { message: error.message });
      }
    }
    queue.push({ work, answer: respond });
    // After the I/O phase, so every request read in this turn joins the batch.
    if (queue.length === 1) setImmediate(flushGroup);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => (db.close(), process.exit(0))));
