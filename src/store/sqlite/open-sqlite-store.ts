import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import type { OpenStore } from '../store-dialect.js';
import type { BackgroundCheckpointerOptions } from './background-checkpointer.js';
import { BackgroundCheckpointer } from './background-checkpointer.js';
import { MloopSqliteDialect } from './mloop-sqlite-dialect.js';
import { serializedPerFile } from './serialized-per-file.js';
import { SqliteReadPool } from './read-pool.js';
import { openSqliteFile } from './sqlite-file.js';
import { sqliteStoreDialect } from './sqlite-store-dialect.js';
import { withStatementCache } from './statement-cache.js';

/** The store's file in the data directory. */
export const sqliteFileName = 'mloop.sqlite';

export interface SqliteStoreOptions {
  readonly dataDir: string;
  /** Run the WAL checkpoints on a worker thread (see BackgroundCheckpointer). */
  readonly backgroundCheckpoints?: boolean | BackgroundCheckpointerOptions;
}

/** Opens the store through `open` on the SQLite file in `dataDir`, creating both if need be. */
export async function openSqliteStore<T extends { close(): Promise<void> }>(options: SqliteStoreOptions, open: OpenStore<T>): Promise<T> {
  const file = path.resolve(options.dataDir, sqliteFileName);
  await mkdir(path.dirname(file), { recursive: true });
  let connection: SqliteDatabase.Database | undefined;
  const kyselyDialect = new MloopSqliteDialect({
    database: async () => {
      connection = await openSqliteFile(file);
      return withStatementCache(connection);
    },
  });
  const reads = new SqliteReadPool(file);
  // Within one process, openings of the same file take turns (see serializedPerFile).
  const store = await serializedPerFile(file, () => open(kyselyDialect, sqliteStoreDialect, reads));
  const checkpointer = options.backgroundCheckpoints && connection !== undefined ? new BackgroundCheckpointer(file, connection, options.backgroundCheckpoints === true ? {} : options.backgroundCheckpoints) : null;
  return {
    ...store,
    close: async () => {
      await reads.close();
      await checkpointer?.close();
      await store.close();
    },
  };
}
