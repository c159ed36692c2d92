import { startPostgres, PostgresCluster } from './postgres-cluster';

/**
 * Starts the run's PostgreSQL cluster before any suite. Suites make their own
 * databases in it (test/support/engines.ts). There is no skipping: without a
 * server the run fails here and says what to install.
 */
export default async function globalSetup(): Promise<void> {
  const cluster = await startPostgres();
  process.env.TALLY_TEST_POSTGRES_URL = cluster.adminUrl;
  (globalThis as { tallyPostgres?: PostgresCluster }).tallyPostgres = cluster;
}
