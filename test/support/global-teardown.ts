import type { PostgresCluster } from './postgres-server';

export default async function globalTeardown(): Promise<void> {
  (globalThis as { tallyPostgres?: PostgresCluster }).tallyPostgres?.stop();
}
