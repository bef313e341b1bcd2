import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import type { PredictionLogWriter } from '../prediction-log-batch.js';
import type { OpenStore } from '../store-dialect.js';
import type { BackgroundCheckpointOptions } from './log-writer.js';
import { SqliteLogWriter } from './log-writer.js';
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
  /** Run the WAL checkpoints on the prediction log's writer thread (see SqliteLogWriter). */
  readonly backgroundCheckpoints?: boolean | BackgroundCheckpointOptions;
  readonly onWriterError?: (error: Error) => void;
}

/** Opens the store through `open` on the SQLite file in `dataDir`, creating both if need be. */
export async function openSqliteStore<T extends { close(): Promise<void>; predictionLogWriter: PredictionLogWriter }>(options: SqliteStoreOptions, open: OpenStore<T>): Promise<T> {
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
  if (connection === undefined) throw new Error(`the SQLite store ${file} opened without a connection`);
  const writer = new SqliteLogWriter(file, connection, store.predictionLogWriter, {
    checkpoints: options.backgroundCheckpoints === true ? {} : (options.backgroundCheckpoints ?? false),
    onError: options.onWriterError,
  });
  return {
    ...store,
    predictionLogWriter: writer,
    close: async () => {
      await reads.close();
      await writer.close();
      await store.close();
    },
  };
}
