'use strict';
// Seeds a ledger with N expenses over 3 years, 50 categories and 3 currencies, in bulk.
const { createHash } = require('node:crypto');
const Database = require('better-sqlite3');

const CURRENCIES = ['USD', 'EUR', 'JPY'];
const START = Date.UTC(2024, 0, 1);
const DAYS = 3 * 365;

function seed(databasePath, ledgerId, count) {
  const db = new Database(databasePath);
  db.pragma('journal_mode = WAL');
  const insert =
    db.prepare(`insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
    values (?, ?, ?, ?, ?, ?, ?, 'api', ?, 1, ?, ?)`);
  const hasRollup = db.prepare("select count(*) as n from sqlite_master where name = 'expense_day'").get().n > 0;
  const afterInsert = hasRollup
    ? db.prepare(`insert into expense_day (ledger_id, category, date, currency, count, total_minor) values (?, ?, ?, ?, 1, ?)
    on conflict (ledger_id, category, currency, date) do update set count = count + 1, total_minor = total_minor + excluded.total_minor`)
    : undefined;
  // xorshift32: every bit stays an integer (a float LCG lost its low bits and put whole categories on one day).
  let random = 12345;
  const next = () => {
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return random >>> 0;
  };
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const date = new Date(START + (next() % DAYS) * 86_400_000).toISOString().slice(0, 10);
      const currency = CURRENCIES[next() % 3];
      const category = `category-${String(next() % 50).padStart(2, '0')}`;
      const minor = 100 + (next() % 100_000);
      const id = `seed${String(i).padStart(12, '0')}`;
      insert.run(
        id,
        ledgerId,
        minor,
        currency,
        category,
        `item ${i}`,
        date,
        createHash('sha1').update(id).digest('base64url'),
        new Date(START).toISOString(),
        i + 1,
      );
      if (hasRollup) {
        afterInsert.run(ledgerId, category, date, currency, minor);
        afterInsert.run(ledgerId, '', date, currency, minor);
      }
    }
  });
  for (let from = 0; from < count; from += 100_000) batch(from, Math.min(count, from + 100_000));
  if (hasRollup) {
    db.exec(`insert into expense_month (ledger_id, category, month, currency, count, total_minor)
      select ledger_id, category, substr(date, 1, 7), currency, sum(count), sum(total_minor) from expense_day group by 1, 2, 3, 4`);
  }
  db.prepare(
    'insert into ledger_number (ledger_id, last_number) values (?, ?) on conflict (ledger_id) do update set last_number = excluded.last_number',
  ).run(ledgerId, count);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('analyze');
  db.close();
}

module.exports = { seed };
