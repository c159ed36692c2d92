import { startAppWithBot, TestApp } from './support/app';
import { ENGINES } from './support/engines';
import { BOT_TOKEN, FakeTelegram } from './support/fake-telegram';
import { Client } from './support/http';
import { initData } from './support/mini-app';
import { ANN, BOB, GROUP_ID, textUpdate } from './support/updates';
import { webhookPoster } from './support/webhook';

/** The Telegram Mini App's side of the server: `Authorization: tma …`, /app and the menu button (docs/API.md §13). */
const SECRET = 'mini_app_secret';
const PUBLIC_URL = 'https://tally.example/';
const MAX_AGE = 3600;
const CAROL = { id: 44, first_name: 'Carol' };

describe.each(ENGINES)('%s: the Telegram Mini App', (engine) => {
  let t: TestApp;
  let fake: FakeTelegram;
  let stop: () => Promise<void>;
  let deliver: (update: object) => Promise<number>;

  beforeAll(async () => {
    ({ t, fake, stop } = await startAppWithBot(SECRET, engine, undefined, {
      miniApp: { publicUrl: PUBLIC_URL, shortName: 'tally', maxAgeSeconds: MAX_AGE },
    }));
    deliver = webhookPoster(() => t.url, SECRET);
  });
  afterAll(async () => {
    await stop();
  });

  const as = (data: string) =>
    new Client(t.url).request('GET', '/expenses', { headers: { authorization: `tma ${data}` } });
  const addAs = (data: string, body: object) =>
    new Client(t.url).request('POST', '/expenses', { body, headers: { authorization: `tma ${data}` } });

  it('sets the menu button of private chats to open the page', () => {
    expect(fake.callsOf('setChatMenuButton')).toEqual([
      { menu_button: { type: 'web_app', text: 'Tally', web_app: { url: PUBLIC_URL } } },
    ]);
  });

  it("valid init data opens the user's private-chat ledger, for reading and writing", async () => {
    expect(await deliver(textUpdate('4.50 coffee flat white', { from: ANN, chatId: ANN.id }))).toBe(200);
    const ann = initData(BOT_TOKEN, { user: ANN });
    const list = await as(ann);
    expect(list.status).toBe(200);
    expect(list.body.items.map((expense: any) => expense.description)).toEqual(['flat white']);
    const added = await addAs(ann, { amount: '2.00', category: 'snack', description: 'from the app' });
    expect(added.status).toBe(201);
    expect((await as(ann)).body.count).toBe(2);

    // Another user, validly signed, sees only their own ledger.
    const bob = await as(initData(BOT_TOKEN, { user: BOB }));
    expect(bob.status).toBe(200);
    expect(bob.body.items).toEqual([]);
  });

  it.each([
    [
      'tampered (another user id after signing)',
      () =>
        initData(BOT_TOKEN, { user: ANN }).replace(
          encodeURIComponent(`"id":${ANN.id}`),
          encodeURIComponent(`"id":${BOB.id}`),
        ),
    ],
    ["signed with another bot's token", () => initData('999:another-bot-token', { user: ANN })],
    [
      'older than MINI_APP_MAX_AGE_SECONDS',
      () => initData(BOT_TOKEN, { user: ANN, authDate: Math.floor(Date.now() / 1000) - MAX_AGE - 60 }),
    ],
    ['without a hash', () => initData(BOT_TOKEN, { user: ANN }).replace(/&hash=[0-9a-f]+/, '')],
    ['not init data at all', () => 'hello'],
  ])('%s → 401', async (_name, data) => {
    const answer = await as(data());
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/Mini App|Authorization/);
  });

  it("a group link from /app opens the group's ledger for a member, asking Telegram at most once a minute", async () => {
    fake.members.set(`${GROUP_ID}:${ANN.id}`, 'member');
    expect(await deliver(textUpdate('/add 30 pizza team', { from: ANN, chatId: GROUP_ID }))).toBe(200);
    expect(await deliver(textUpdate('/app', { from: ANN, chatId: GROUP_ID }))).toBe(200);
    const reply = await fake.waitFor(
      () => fake.lastMessageTo(GROUP_ID)?.payload.text.includes('t.me') && fake.lastMessageTo(GROUP_ID)!.payload,
    );
    const link = /https:\/\/t\.me\/TallyBot\/tally\?startapp=([A-Za-z0-9_-]+)/.exec(reply.text);
    expect(link).not.toBeNull();
    const ref = link![1];
    expect(ref.length).toBeLessThanOrEqual(64);

    const asked = fake.callsOf('getChatMember').length;
    const member = initData(BOT_TOKEN, { user: ANN, startParam: ref });
    const first = await as(member);
    expect(first.status).toBe(200);
    expect(first.body.items.map((expense: any) => expense.description)).toEqual(['team']);
    expect((await as(member)).status).toBe(200);
    expect(fake.callsOf('getChatMember').length - asked).toBe(1);
    expect(fake.callsOf('getChatMember').at(-1)).toMatchObject({ chat_id: GROUP_ID, user_id: ANN.id });
  });

  it('a user who is not (or no longer) in the group gets 403; a ref the server did not make gets 401', async () => {
    expect(await deliver(textUpdate('/app', { from: ANN, chatId: GROUP_ID }))).toBe(200);
    const reply = await fake.waitFor(
      () => fake.lastMessageTo(GROUP_ID)?.payload.text.includes('t.me') && fake.lastMessageTo(GROUP_ID)!.payload,
    );
    const ref = /startapp=([A-Za-z0-9_-]+)/.exec(reply.text)![1];
    fake.members.set(`${GROUP_ID}:${CAROL.id}`, 'left');
    const left = await as(initData(BOT_TOKEN, { user: CAROL, startParam: ref }));
    expect(left.status).toBe(403);

    const forged = ref.replace(/_.*/, `_${'A'.repeat(22)}`);
    expect((await as(initData(BOT_TOKEN, { user: ANN, startParam: forged }))).status).toBe(401);
    const otherGroup = ref.replace(/\d+/, '100999');
    expect((await as(initData(BOT_TOKEN, { user: ANN, startParam: otherGroup }))).status).toBe(401);
  });

  it('/app in a private chat answers with a web_app button that opens the page', async () => {
    expect(await deliver(textUpdate('/app', { from: BOB, chatId: BOB.id }))).toBe(200);
    const reply = await fake.waitFor(() => fake.lastMessageTo(BOB.id));
    const markup =
      typeof reply.payload.reply_markup === 'string'
        ? JSON.parse(reply.payload.reply_markup)
        : reply.payload.reply_markup;
    expect(markup.inline_keyboard[0][0]).toEqual({ text: 'Open Tally', web_app: { url: PUBLIC_URL } });
  });
});

describe('the Telegram Mini App when TALLY_PUBLIC_URL is unset', () => {
  let t: TestApp;
  let fake: FakeTelegram;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ t, fake, stop } = await startAppWithBot(SECRET));
  });
  afterAll(async () => {
    await stop();
  });

  it('refuses tma with 401, sets no menu button, and /app says why', async () => {
    const answer = await new Client(t.url).request('GET', '/expenses', {
      headers: { authorization: `tma ${initData(BOT_TOKEN, { user: ANN })}` },
    });
    expect(answer.status).toBe(401);
    expect(fake.callsOf('setChatMenuButton')).toEqual([]);
    expect(await webhookPoster(() => t.url, SECRET)(textUpdate('/app', { from: ANN, chatId: ANN.id }))).toBe(200);
    const reply = await fake.waitFor(() => fake.lastMessageTo(ANN.id));
    expect(reply.payload.text).toMatch(/TALLY_PUBLIC_URL/);
  });
});
