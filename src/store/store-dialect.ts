import type { Dialect as KyselyDialect, SelectQueryBuilder, Transaction } from 'kysely';
import type { PredictionLogReader } from './prediction-log-reads.js';
import type { DatabaseSchema } from './schema.js';

/** The databases a store can live in. */
export type Dialect = 'sqlite' | 'postgres';

/**
 * What the repositories do differently on each database, and nothing else: the queries are one
 * code for both (Kysely compiles them for the dialect), and only the ways concurrent transactions
 * are kept apart differ. As Kysely's own `DialectAdapter`, one object per dialect, chosen once
 * when the store opens (`sqlite/sqlite-store-dialect.ts`, `postgres/postgres-store-dialect.ts`).
 */
export interface StoreDialect {
  readonly name: Dialect;
  /**
   * From this call until `trx` ends, no other transaction that asks for the lock of the same `key`
   * runs, in this process or any other. For a transaction that reads rows and then writes what it
   * decided from them, which two at once would each decide from the same stale read.
   */
  acquireTransactionLock(trx: Transaction<DatabaseSchema>, key: string): Promise<void>;
  /**
   * Locks the rows the select finds until the transaction ends, and lets concurrent selects of the
   * same kind pass over them instead of waiting for them: for claiming rows from a queue.
   */
  skipLocked<TB extends keyof DatabaseSchema, O>(
    query: SelectQueryBuilder<DatabaseSchema, TB, O>,
  ): SelectQueryBuilder<DatabaseSchema, TB, O>;
}

/**
 * What a dialect's opening function is given: connect through `kyselyDialect`, migrate and assemble
 * the store (`openDatabase` does that). The dialect runs it inside whatever the database needs
 * around an opening, and may add to the returned store's `close`. `offThreadReads` is the
 * prediction log's long reads when the dialect runs them away from the event loop (SQLite, whose
 * driver blocks); without it they run on the store's own connection.
 */
export type OpenStore<T extends { close(): Promise<void> }> = (kyselyDialect: KyselyDialect, dialect: StoreDialect, offThreadReads?: PredictionLogReader) => Promise<T>;
