import { workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { ConfirmedCasesQuery, InputSample, InputSampleQuery, LiveCounts, VersionCases, Window } from '../prediction-log-reads.js';
import { PredictionLogQueries } from '../prediction-log-reads.js';
import type { DatabaseSchema } from '../schema.js';

/** What read-pool.ts asks its worker thread for. */
export type ReadTask =
  | { readonly kind: 'inputSample'; readonly query: InputSampleQuery }
  | { readonly kind: 'liveCounts'; readonly window: Window }
  | { readonly kind: 'confirmedCases'; readonly query: ConfirmedCasesQuery };

/*
 * The thread's own connection: better-sqlite3 connections belong to the thread that opened them.
 * Read-only, so nothing here can write the store by mistake; in WAL mode it reads a consistent
 * snapshot per query while the main connection goes on writing.
 */
const connection = new SqliteDatabase((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
connection.pragma('busy_timeout = 5000');
const queries = new PredictionLogQueries(new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: connection }) }));

export default function read(task: ReadTask): Promise<InputSample | LiveCounts | VersionCases[]> {
  switch (task.kind) {
    case 'inputSample':
      return queries.inputSample(task.query);
    case 'liveCounts':
      return queries.liveCounts(task.window);
    case 'confirmedCases':
      return queries.confirmedCases(task.query);
  }
}
