import { workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { InputSample, InputSampleQuery, LiveCounts, Window } from '../prediction-log-reads.js';
import { PredictionLogQueries } from '../prediction-log-reads.js';
import type { DatabaseSchema } from '../schema.js';

/** What read-pool.ts asks its worker thread for. */
export type ReadTask = { readonly kind: 'inputSample'; readonly query: InputSampleQuery } | { readonly kind: 'liveCounts'; readonly window: Window };

/*
 * The thread's own connection: better-sqlite3 connections belong to the thread that opened them.
 * Read-only, so nothing here can write the store by mistake; in WAL mode it reads a consistent
 * snapshot per query while the main connection goes on writing.
 */
const connection = new SqliteDatabase((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
connection.pragma('busy_timeout = 5000');
const queries = new PredictionLogQueries(new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: connection }) }));

export default function read(task: ReadTask): Promise<InputSample | LiveCounts> {
  return task.kind === 'inputSample' ? queries.inputSample(task.query) : queries.liveCounts(task.window);
}
