import { startAppWithBot, TestApp } from './support/app';
import { FakeTelegram } from './support/fake-telegram';
import { newUpdateId } from './support/updates';
import { ENGINES } from './support/engines';
import { people, restForChat, webhookPoster } from './support/webhook';

/** A CSV document sent to the bot is imported (CONTRACT §9): real webhook POSTs, a fake Bot API serving the file. */
describe.each(ENGINES)('%s', (engine) => {
  const SECRET = 'import_webhook-secret';
  let fake: FakeTelegram;
  let t: TestApp;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ t, fake, stop } = await startAppWithBot(SECRET, engine));
  });
  afterAll(() => stop());

  const person = people(41000, 'Importer');
  const deliver = webhookPoster(() => t.url, SECRET);

  /** A message carrying a document, as Telegram delivers it. */
  function documentUpdate(
    from: { id: number; first_name: string },
    content: string | Buffer,
    options: { name?: string; caption?: string; size?: number } = {},
  ) {
    const file = fake.addFile(content);
    return {
      update_id: newUpdateId(),
      message: {
        message_id: Math.floor(Math.random() * 1e6),
        date: Math.floor(Date.now() / 1000),
        chat: { id: from.id, type: 'private', first_name: from.first_name },
        from: { ...from, is_bot: false },
        document: {
          file_name: options.name ?? 'bank.csv',
          mime_type: 'text/csv',
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          file_size: options.size ?? file.file_size,
        },
        ...(options.caption ? { caption: options.caption } : {}),
      },
    };
  }

  async function summary(chatId: number, count: number): Promise<string[]> {
    await fake.waitFor(
      () => fake.messagesTo(chatId).filter((text) => /^Import (done|failed)/.test(text)).length >= count || undefined,
      20_000,
    );
    return fake.messagesTo(chatId).filter((text) => /^Import (done|failed)/.test(text));
  }

  const restFor = (from: { id: number; first_name: string }) => restForChat(deliver, fake, t.url, from);

  it('imports, shows one progress message and a summary; a redelivered update imports nothing more; the same file again records nothing', async () => {
    const ann = person();
    const csv =
      'date,amount,category,description\n2026-11-01,12.50,food,lunch\n2026-11-02,3,coffee,\n2026-11-31,1,bad,\n';
    const update = documentUpdate(ann, csv);
    expect(await Promise.all([deliver(update), deliver(update)])).toEqual([200, 200]);
    expect(await deliver(update)).toBe(200);
    const [done] = await summary(ann.id, 1);
    expect(done).toBe(
      'Import done. 3 rows read: 2 recorded, 0 already present, 1 rejected.\nline 4: date must be a real calendar date written YYYY-MM-DD, got "2026-11-31"',
    );
    const progress = fake.messagesTo(ann.id).filter((text) => text === 'Importing bank.csv…');
    expect(progress).toHaveLength(1);
    const progressMessage = fake.calls.find(
      (call) =>
        call.method === 'sendMessage' &&
        call.payload.text === 'Importing bank.csv…' &&
        Number(call.payload.chat_id) === ann.id,
    )!;
    expect(
      fake
        .callsOf('editMessageText')
        .filter((edit) => Number(edit.chat_id) === ann.id)
        .map((edit) => [edit.message_id, edit.text]),
    ).toContainEqual([progressMessage.result.message_id, 'Import finished.']);
    expect(fake.callsOf('download').filter((call) => call.file_id === update.message.document.file_id)).toHaveLength(1);

    const rest = await restFor(ann);
    const list = await rest.get('/expenses');
    expect(list.body).toMatchObject({ count: 2, total: { USD: '15.50' } });
    expect(list.body.items.every((e: any) => e.source === 'import')).toBe(true);

    await deliver(documentUpdate(ann, csv));
    const summaries = await summary(ann.id, 2);
    expect(summaries[1]).toMatch(/^Import done\. 3 rows read: 0 recorded, 2 already present, 1 rejected\./);
    expect((await rest.get('/expenses')).body.count).toBe(2);
  });

  it('options in the caption; a bad option is explained; a file that is not UTF-8 fails clearly; over 20 MB is refused', async () => {
    const ann = person();
    await deliver(
      documentUpdate(ann, 'Date;Amount;Category\n24.11.2026;12,50;food\n', {
        caption: 'decimal=, dateFormat=DD.MM.YYYY delimiter=;',
      }),
    );
    expect((await summary(ann.id, 1))[0]).toMatch(/^Import done\. 1 rows read: 1 recorded/);

    expect(await deliver(documentUpdate(ann, 'date,amount,category\n', { caption: 'decimal=x' }))).toBe(200);
    expect(fake.messagesTo(ann.id).at(-1)).toMatch(/^Not imported: decimal must be "\." or ","/);

    await deliver(documentUpdate(ann, Buffer.from('date,amount,category\n2026-11-01,5,caf\xe9\n', 'latin1')));
    expect((await summary(ann.id, 2))[1]).toMatch(/^Import failed: the file is not UTF-8 text/);

    await deliver(documentUpdate(ann, 'date,amount,category\n', { size: 21 * 1024 * 1024 }));
    expect(fake.messagesTo(ann.id).at(-1)).toMatch(/larger than 20 MB/);
    const rest = await restFor(ann);
    expect((await rest.get('/expenses')).body).toMatchObject({ count: 1, total: { USD: '12.50' } });
  });

  it('other documents are not imports', async () => {
    const ann = person();
    const update = documentUpdate(ann, '%PDF-1.4', { name: 'receipt.pdf' });
    update.message.document.mime_type = 'application/pdf';
    expect(await deliver(update)).toBe(200);
    expect(fake.messagesTo(ann.id)).toEqual([
      'I did not understand that. Start a message with an amount (12.50 food lunch) or see /help.',
    ]);
  });
});
