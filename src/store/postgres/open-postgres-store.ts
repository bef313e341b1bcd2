import { PostgresDialect } from 'kysely';
import type { OpenStore } from '../store-dialect.js';
import { postgresStoreDialect } from './postgres-store-dialect.js';

export interface PostgresStoreOptions {
  /** `postgres://` or `postgresql://`. */
  readonly url: string;
  /** Told when an idle connection of the pool breaks; a process warning by default. */
  readonly onIdleConnectionError?: (error: Error) => void;
}

/** Opens the store through `open` on a connection pool to the PostgreSQL database at `url`. */
export async function openPostgresStore<T extends { close(): Promise<void> }>(options: PostgresStoreOptions, open: OpenStore<T>): Promise<T> {
  // Loaded only here: a SQLite store (the default) never needs the PostgreSQL client.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: options.url, application_name: 'mloop' });
  // Without a listener, an idle connection's error (the server restarted, say) would crash the
  // process; the pool has already dropped that connection, and the next query opens a new one.
  const onIdleError = options.onIdleConnectionError ?? ((error: Error) => process.emitWarning(error));
  pool.on('error', onIdleError);
  return open(new PostgresDialect({ pool }), postgresStoreDialect);
}
