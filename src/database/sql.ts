import { TransactionContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { Knex } from '@mikro-orm/knex';

/**
 * The knex transaction the caller runs in (transaction() in raw-sql.ts, so
 * also a write batch), or undefined. Asked of MikroORM's transaction context
 * directly, the one place that knows.
 */
export function currentTransaction(em: EntityManager): Knex.Transaction | undefined {
  return TransactionContext.getEntityManager(em.name)?.getTransactionContext<Knex.Transaction>();
}

/**
 * The query builder bound to the current transaction, when there is one. The
 * global EntityManager resolves to the request's or transaction's fork, so a
 * service called inside IdempotentRequests' transaction writes inside it.
 */
export function sql(em: EntityManager): Knex {
  return (currentTransaction(em) ?? em.getKnex()) as Knex;
}

/** True when an INSERT … ON CONFLICT DO NOTHING … RETURNING wrote its row. */
export function inserted(rows: unknown): boolean {
  return Array.isArray(rows) && rows.length > 0;
}
