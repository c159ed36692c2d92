import { Client as PgClient } from 'pg';
import { removeDir, tempDir } from './support/app';
import { auditQuery, liveCountsByDescription } from './support/database-file';
import { freshDatabase, TestDatabase } from './support/engines';
import { BOT_TOKEN, FakeTelegram } from './support/fake-telegram';
import { Client } from './support/http';
import { botEnv, createToken, ServerProcess, startServer } from './support/server-process';
import { callbackUpdate, editedUpdate, textUpdate } from './support/updates';
import { MIGRATIONS } from '../src/migrations';
import { hashToken } from '../src/ledgers/tokens.service';
import { randomBytes } from 'node:crypto';

/**
 * Two Tally processes (the production build) on one PostgreSQL database, any
 * request to either: the guarantees hold across instances (CONTRACT §11).
 */
const SECRET = 'multi_instance_secret';

describe('postgresql: two instances on one database', () => {
  let dir: string;
  let db: TestDatabase;
  let fake: FakeTelegram;
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;

  beforeAll(async () => {
    dir = tempDir();
    db = await freshDatabase('postgresql', dir);
    fake = await new FakeTelegram().start();
    const env = botEnv(db.url, fake.url, SECRET);
    // Both start together on an empty database: the migration must run once, not twice.
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
    token = createToken(env, 'multi');
  });
  afterAll(async () => {
    for (const server of [a, b]) if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await fake.stop();
    await db.drop();
    removeDir(dir);
  });

  const post = (server: ServerProcess, body: unknown, headers: Record<string, string> = {}) =>
    new Client(server.url, token).post('/expenses', body, headers);
  const deliver = (server: ServerProcess, update: unknown) =>
    fetch(`${server.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    }).then((response) => response.status);

  it('migrated once although both instances started together', async () => {
    const rows = await auditQuery<{ name: string }>(db.target, 'select name from mikro_orm_migrations order by id');
    expect(rows.map((row) => row.name)).toEqual(MIGRATIONS.postgresql.map((migration) => migration.name));
  });

  it('identical creates spread over both: one 201, the rest 200 with the same id', async () => {
    for (let wave = 0; wave < 3; wave++) {
      const body = { amount: `${wave + 7}.25`, category: 'multi', description: `identical ${wave}` };
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i % 2 ? a : b, body)));
      expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(39);
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    }
  });

  it('an Idempotency-Key in flight on one instance is 409 on the other, then replayed', async () => {
    const first = await post(a, { amount: '1.00', category: 'inflight', date: '2026-11-01' });
    expect(first.status).toBe(201);
    // Hold the day's totals row so the keyed request on instance A stays in flight, mid-transaction.
    const blocker = new PgClient({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query("select * from expense_day where category = 'inflight' for update");
    const body = { amount: '2.00', category: 'inflight', date: '2026-11-01' };
    const running = post(a, body, { 'Idempotency-Key': 'in-flight-key' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const meanwhile = await post(b, body, { 'Idempotency-Key': 'in-flight-key' });
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.body.message).toMatch(/Idempotency-Key/);
    await blocker.query('commit');
    await blocker.end();
    const original = await running;
    expect(original.status).toBe(201);
    const replay = await post(b, body, { 'Idempotency-Key': 'in-flight-key' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(original.body);
  });

  it('a Telegram update delivered to both at once: one expense, one reply', async () => {
    const updates = Array.from({ length: 20 }, (_, i) =>
      textUpdate(`/add ${i + 1} twice multi-update-${i}`, { from: { id: 61_000 + i, first_name: 'Twin' } }),
    );
    const statuses = await Promise.all(updates.flatMap((update) => [deliver(a, update), deliver(b, update)]));
    expect(statuses.every((status) => status === 200)).toBe(true);
    const counts = await liveCountsByDescription(db.target, 'multi-update-');
    expect(counts.size).toBe(20);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (let i = 0; i < 20; i++) expect(fake.messagesTo(61_000 + i)).toHaveLength(1);
  });

  it('"Record again" pressed on both instances records one more, once', async () => {
    const chatId = 62_000;
    const from = { id: chatId, first_name: 'Press' };
    expect(await deliver(a, textUpdate('/add 4 again multi-again', { from }))).toBe(200);
    expect(await deliver(b, textUpdate('/add 4 again multi-again', { from }))).toBe(200);
    const duplicateReply = fake.lastMessageTo(chatId)!;
    const button = duplicateReply.payload.reply_markup;
    const data = (typeof button === 'string' ? JSON.parse(button) : button).inline_keyboard[0][0]
      .callback_data as string;
    const message = { message_id: duplicateReply.result.message_id, chatId };
    // Two presses (two updates) and each delivered to both instances.
    const presses = [callbackUpdate(data, message, { from }), callbackUpdate(data, message, { from })];
    const statuses = await Promise.all(presses.flatMap((press) => [deliver(a, press), deliver(b, press)]));
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect((await liveCountsByDescription(db.target, 'multi-again')).get('multi-again')).toBe(2);
  });

  it('budget alerts from expenses racing on both processes: one at 80 %, one at 100 %', async () => {
    const chatId = 64_500;
    const from = { id: chatId, first_name: 'Budget' };
    const alerts = () => fake.messagesTo(chatId).filter((text) => /^Budget (alert|exceeded)/.test(text));
    expect(await deliver(a, textUpdate('/budget food 100', { from }))).toBe(200);
    for (let i = 0; i < 14; i++)
      expect(await deliver(i % 2 ? a : b, textUpdate(`/add 5 food before ${i}`, { from }))).toBe(200);
    // 70.00 spent. Four at once over both processes cross 80 % only; four more cross 100 % only.
    for (const [phase, expected] of [
      ['alert', 1],
      ['exceeded', 2],
    ] as const) {
      const updates = Array.from({ length: 4 }, (_, i) => textUpdate(`/add 5 food ${phase} ${i}`, { from }));
      const statuses = await Promise.all(
        updates.flatMap((update, i) => [deliver(i % 2 ? a : b, update), deliver(i % 2 ? b : a, update)]),
      );
      expect(statuses.every((status) => status === 200)).toBe(true);
      await fake.waitFor(() => alerts().length >= expected, 10_000);
    }
    // Each process's outbox looks again every 5 s: past that, nothing more may arrive.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    // The percent is what the winning batch saw: the four expenses of a phase may commit in one batch or
    // split over both processes, so 80 % is reported at 80, 85 or 90 and 100 % at 100, 105 or 110.
    expect(alerts()).toEqual([
      expect.stringMatching(/^Budget alert: food is at (80|85|90)% /),
      expect.stringMatching(/^Budget exceeded: food is at (100|105|110)% /),
    ]);
  }, 60_000);

  it('creates in one ledger spread over both take distinct, short numbers', async () => {
    const ledger = new Client(a.url, createToken(botEnv(db.url, fake.url, SECRET), 'multi-numbers'));
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        new Client(i % 2 ? a.url : b.url, ledger.token).post('/expenses', {
          amount: `${(i % 30) + 1}`,
          category: 'numbers',
          date: '2026-11-02',
        }),
      ),
    );
    expect(answers.every((answer) => answer.status === 201 || answer.status === 200)).toBe(true);
    const numbers = answers.filter((answer) => answer.status === 201).map((answer) => answer.body.number as number);
    // Unique and from 1 up; a duplicate's number may be left a gap when another was drawn after it.
    expect(new Set(numbers).size).toBe(30);
    expect(Math.min(...numbers)).toBe(1);
    expect(Math.max(...numbers)).toBeLessThanOrEqual(60);
  });

  it('creates over 16 ledgers through both at once, each instance in the other order: no deadlock, totals exact', async () => {
    // 16 ledgers and their tokens, stored as the token service stores them.
    const admin = new PgClient({ connectionString: db.url });
    await admin.connect();
    const tokens: string[] = [];
    try {
      for (let i = 0; i < 16; i++) {
        const token = `tally_${randomBytes(32).toString('base64url')}`;
        const [{ id }] = (
          await admin.query(
            `insert into ledger (name, currency, timezone, created_at) values ($1, 'USD', 'UTC', $2) returning id`,
            [`spread-${i}`, new Date().toISOString()],
          )
        ).rows;
        await admin.query(`insert into api_token (ledger_id, token_hash, created_at) values ($1, $2, $3)`, [
          id,
          hashToken(token),
          new Date().toISOString(),
        ]);
        tokens.push(token);
      }
      const deadlocks = async () =>
        Number(
          (await admin.query('select deadlocks from pg_stat_database where datname = current_database()')).rows[0]
            .deadlocks,
        );
      const before = await deadlocks();
      // Instance a is sent the ledgers in ascending order, b in descending: writes that lock ledgers in
      // arrival order would meet in opposite orders.
      const sends: Array<Promise<number>> = [];
      for (let round = 0; round < 12; round++) {
        for (let i = 0; i < 16; i++) {
          for (const [server, ledger] of [
            [a, i],
            [b, 15 - i],
          ] as const) {
            const body = {
              amount: `${ledger + 1}.01`,
              category: 'spread',
              description: `${server === a ? 'a' : 'b'} ${round}`,
              date: '2026-11-05',
            };
            sends.push(new Client(server.url, tokens[ledger]).post('/expenses', body).then((answer) => answer.status));
          }
        }
      }
      const statuses = await Promise.all(sends);
      expect(statuses.filter((status) => status !== 201)).toEqual([]);
      // No timed bound (a loaded machine passes 1 s on its own): the deadlock counter below is the check.
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // the statistics reach pg_stat_database within a second
      expect(await deadlocks()).toBe(before);
      for (const [ledger, token] of tokens.entries()) {
        const summary = (await new Client(a.url, token).get('/expenses/summary')).body;
        const minor = 24 * ((ledger + 1) * 100 + 1);
        expect([summary.count, summary.total]).toEqual([
          24,
          { USD: `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}` },
        ]);
      }
    } finally {
      await admin.end();
    }
  });

  it('PATCHes of one expense spread over both: each whole, the history a chain, the totals the final amount', async () => {
    const created = await post(a, { amount: '1.00', category: 'multi-edit', date: '2026-11-03' });
    const id = created.body.id as string;
    const amounts = Array.from({ length: 16 }, (_, i) => `${i + 2}.00`);
    const answers = await Promise.all(
      amounts.map((amount, i) => new Client(i % 2 ? a.url : b.url, token).patch(`/expenses/${id}`, { amount })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(amounts.map(() => 200));
    const history = (await new Client(b.url, token).get(`/expenses/${id}/history`)).body.items as Array<{
      changes: { amount: { from: string; to: string } };
    }>;
    expect(history).toHaveLength(amounts.length);
    let amount = '1.00';
    for (const entry of history) {
      expect(entry.changes.amount.from).toBe(amount);
      amount = entry.changes.amount.to;
    }
    const list = await new Client(a.url, token).get('/expenses?category=multi-edit');
    expect(list.body).toMatchObject({ count: 1, total: { USD: amount } });
  });

  it('an edited message delivered to both at once: one correction, one reply', async () => {
    const chatId = 63_000;
    const from = { id: chatId, first_name: 'Editor' };
    const original = textUpdate('/add 10 multi-edited', { from });
    expect(await deliver(a, original)).toBe(200);
    const edit = editedUpdate(original, '/add 11 multi-edited');
    const statuses = await Promise.all([deliver(a, edit), deliver(b, edit), deliver(a, edit), deliver(b, edit)]);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(fake.messagesTo(chatId)).toEqual([
      expect.stringMatching(/^Recorded 10.00 USD/),
      expect.stringMatching(/^Updated: 11.00 USD/),
    ]);
    const rows = await auditQuery<{ n: string }>(
      db.target,
      "select count(*) as n from expense_change c join expense e on e.seq = c.expense_seq where e.category = 'multi-edited'",
    );
    expect(Number(rows[0].n)).toBe(1);
  });

  it('kill -9 of one instance under load: the other keeps answering, nothing answered lost or doubled', async () => {
    const bodies = Array.from({ length: 60 }, (_, i) => ({
      amount: `${i + 1}.10`,
      category: 'kill',
      description: `multi-kill-${i}`,
    }));
    const send = (server: ServerProcess, i: number) =>
      post(server, bodies[i], { 'Idempotency-Key': `kill-${i}` }).then(
        (answer) => answer.status,
        () => 0,
      );
    let firstFromA!: () => void;
    const aAnswered = new Promise<void>((resolve) => (firstFromA = resolve));
    const outcomes = bodies.map((_, i) =>
      send(i % 2 ? a : b, i).then((status) => {
        if (i % 2 && status === 201) firstFromA();
        return status;
      }),
    );
    await aAnswered;
    a.child.kill('SIGKILL');
    const statuses = await Promise.all(outcomes);
    // Every request sent to the survivor succeeded.
    expect(statuses.filter((_, i) => i % 2 === 0).every((status) => status === 201)).toBe(true);
    const counts = await liveCountsByDescription(db.target, 'multi-kill-');
    statuses.forEach((status, i) => {
      if (status === 201) expect([i, counts.get(`multi-kill-${i}`)]).toEqual([i, 1]);
    });
    // The client retries whatever went unanswered, on the survivor, with the same key.
    for (const [i, status] of statuses.entries()) if (status !== 201) expect(await send(b, i)).toBe(201);
    const after = await liveCountsByDescription(db.target, 'multi-kill-');
    expect(after.size).toBe(60);
    expect([...after.values()].every((n) => n === 1)).toBe(true);
    expect((await new Client(b.url).get('/health')).status).toBe(200);
  });
});

describe('postgresql: long polling with two instances', () => {
  let dir: string;
  let db: TestDatabase;
  let fake: FakeTelegram;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    dir = tempDir();
    db = await freshDatabase('postgresql', dir);
    fake = await new FakeTelegram().start();
  });
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await fake.stop();
    await db.drop();
    removeDir(dir);
  });

  it('exactly one polls at a time; when it dies the other takes over within 15 s and nothing is handled twice', async () => {
    const env = { DATABASE_URL: db.url, TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: fake.url };
    servers.push(...(await Promise.all([startServer(env), startServer(env)])));
    const isPolling = (server: ServerProcess) => /@TallyBot: long polling(?! when)/.test(server.output());
    const leader = await fake.waitFor(() => servers.find(isPolling), 10_000);
    const follower = servers.find((server) => server !== leader)!;

    const chatId = 63_000;
    const from = { id: chatId, first_name: 'Poll' };
    for (let i = 0; i < 5; i++) fake.pushUpdate(textUpdate(`/add ${i + 1} poll multi-poll-${i}`, { from }));
    await fake.waitFor(() => fake.messagesTo(chatId).length >= 5, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // both instances have had time to poll
    expect(isPolling(follower)).toBe(false);
    expect(fake.maxOpenPolls).toBe(1);

    leader.child.kill('SIGKILL');
    const killedAt = Date.now();
    fake.pushUpdate(textUpdate('/add 9 poll multi-poll-after', { from }));
    await fake.waitFor(() => fake.messagesTo(chatId).length >= 6, 15_000);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(isPolling(follower)).toBe(true);
    expect(fake.maxOpenPolls).toBe(1);

    const counts = await liveCountsByDescription(db.target, 'multi-poll-');
    expect(counts.size).toBe(6);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(fake.messagesTo(chatId)).toHaveLength(6);
  });
});
