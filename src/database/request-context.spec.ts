import { MikroORM, TransactionContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ormConfig } from './orm.config';
import { runInRequestContext } from './request-context';
import { currentTransaction } from './sql';

describe('runInRequestContext', () => {
  let orm: MikroORM;
  let em: EntityManager;
  let forks: number;

  beforeAll(async () => {
    orm = await MikroORM.init(ormConfig({ engine: 'sqlite', path: ':memory:' }));
    em = orm.em as unknown as EntityManager;
    const fork = em.fork.bind(em);
    em.fork = ((options) => {
      forks++;
      return fork(options);
    }) as typeof em.fork;
  });
  beforeEach(() => (forks = 0));
  afterAll(() => orm.close());

  const inRequest = <T>(work: () => Promise<T>): Promise<T> =>
    new Promise((resolve, reject) => runInRequestContext(em, () => void work().then(resolve, reject)));

  it('forks nothing for a request that only asks whether it is in a transaction', async () => {
    await inRequest(async () => {
      expect(currentTransaction(em)).toBeUndefined();
      await Promise.resolve();
      expect(currentTransaction(em)).toBeUndefined();
    });
    expect(forks).toBe(0);
  });

  it("forks once, on first use, and the request keeps that fork; another request gets its own", async () => {
    const seen: unknown[] = [];
    await inRequest(async () => {
      expect(forks).toBe(0);
      seen.push(em.getContext());
      await Promise.resolve();
      seen.push(em.getContext());
    });
    await inRequest(async () => void seen.push(em.getContext()));
    expect(forks).toBe(2);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).not.toBe(em);
    expect(seen[2]).not.toBe(seen[0]);
  });

  it('finds the transaction a request opened, and only inside it', async () => {
    await inRequest(async () => {
      await em.transactional(async () => {
        expect(currentTransaction(em)).toBeDefined();
        expect(currentTransaction(em)).toBe(TransactionContext.getEntityManager(em.name)?.getTransactionContext());
      });
      expect(currentTransaction(em)).toBeUndefined();
    });
  });
});
