import { startApp, startAppWithSlack, tempDir } from './support/app';
import { auditQuery, operatorSql } from './support/database-file';
import { ENGINES, freshDatabase } from './support/engines';

const DAY_MS = 86_400_000;

/**
 * Delivery claims and sent messages are kept for a week, then dropped by
 * whichever chat bot runs: a Slack-only deployment prunes as the Telegram
 * bot does (both share src/chat/chat-pruning.ts).
 */
describe.each(ENGINES)('%s', (engine) => {
  it('a Slack-only instance drops claims and sent messages older than a week at start-up, and keeps the rest', async () => {
    const dir = tempDir();
    const db = await freshDatabase(engine, dir);
    const plain = await startApp({}, engine, { db, dir }); // migrates; runs no bot, so prunes nothing
    const now = Date.now();
    await operatorSql(
      db.target,
      `insert into chat_claim (platform, claim_key, claimed_at) values
       ('slack', 'old-event', ?), ('slack', 'fresh-event', ?), ('telegram', '1:old-update', ?)`,
      now - 8 * DAY_MS,
      now - 60_000,
      now - 8 * DAY_MS,
    );
    await operatorSql(
      db.target,
      `insert into chat_message (platform, address, text, created_at, sent_at) values
       ('slack', 'C0OLD', 'sent long ago', ?, ?), ('slack', 'C0OLD', 'sent today', ?, ?), ('telegram', '42', 'never sent', ?, null)`,
      now - 8 * DAY_MS,
      now - 8 * DAY_MS,
      now - 60_000,
      now - 60_000,
      now - 8 * DAY_MS,
    );
    await plain.app.close();
    expect(await auditQuery(db.target, 'select claim_key from chat_claim')).toHaveLength(3);

    const { t, stop } = await startAppWithSlack(engine, { existing: { db, dir } });
    try {
      const claims = await auditQuery<{ claim_key: string }>(
        t.db.target,
        'select claim_key from chat_claim order by claim_key',
      );
      expect(claims.map((row) => row.claim_key)).toEqual(['fresh-event']);
      const messages = await auditQuery<{ text: string }>(t.db.target, 'select text from chat_message order by id');
      expect(messages.map((row) => row.text)).toEqual(['sent today', 'never sent']);
    } finally {
      await stop();
    }
  });
});
