export interface PostgresCluster {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  /** Stops the server, keeping its data (the database lost while Tally runs). */
  pause(): void;
  /** Starts it again on the same port with the same data. */
  resume(): void;
  /** Stops it and removes its data. */
  stop(): void;
}

export function startPostgres(options?: { durable?: boolean }): Promise<PostgresCluster>;
