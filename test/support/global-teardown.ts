import type { PostgresCluster } from './postgres-cluster';

export default async function globalTeardown(): Promise<void> {
  (globalThis as { tallyPostgres?: PostgresCluster }).tallyPostgres?.stop();
}
