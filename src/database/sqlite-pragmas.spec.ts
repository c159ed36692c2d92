import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ormConfig } from './orm.config';

describe('the SQLite connection the app opens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-pragmas-'));
  let orm: MikroORM;

  beforeAll(async () => {
    orm = await MikroORM.init(ormConfig({ engine: 'sqlite', path: join(dir, 'tally.sqlite') }));
  });
  afterAll(async () => {
    await orm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pragma = async (name: string): Promise<unknown> => {
    const rows = (await (orm.em as unknown as EntityManager).getKnex().raw(`pragma ${name}`)) as Array<
      Record<string, unknown>
    >;
    return Object.values(rows[0])[0];
  };

  it('commits durably (WAL, synchronous=FULL) and keeps savepoint journals in memory', async () => {
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // FULL
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
    expect(await pragma('temp_store')).toBe(2); // MEMORY
  });
});
