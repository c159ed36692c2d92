import { EntityManager } from '@mikro-orm/knex';
import { sql } from '../src/database/sql';
import { WriteBatcher } from '../src/database/write-batcher';
import { startApp, TestApp } from './support/app';
import { ENGINES } from './support/engines';

describe.each(ENGINES)('%s', (engine) => {

  /** Group commit: writes that arrive together share a transaction, and one failure undoes only itself. */
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('commits the good writes of a batch and rolls back only the failed one', async () => {
    const batcher = t.app.get(WriteBatcher);
    const em = t.app.get(EntityManager);
    const insert = (name: string) => sql(em)('ledger').insert({ name, currency: 'USD', timezone: 'UTC', created_at: 'now' });
    const results = await Promise.allSettled([
      batcher.run(() => insert('batch-a')),
      batcher.run(async () => {
        await insert('batch-broken');
        throw new Error('this write fails after inserting');
      }),
      batcher.run(async () => {
        await insert('batch-b');
        return batcher.run(() => insert('batch-nested')); // a write inside a write joins it
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = (await em.getKnex()('ledger').where('name', 'like', 'batch-%').pluck('name')).sort();
    expect(names).toEqual(['batch-a', 'batch-b', 'batch-nested']);
  });
});
