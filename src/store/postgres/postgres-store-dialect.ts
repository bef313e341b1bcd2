import { sql } from 'kysely';
import type { StoreDialect } from '../store-dialect.js';

/**
 * PostgreSQL runs transactions side by side under READ COMMITTED: two that read the same rows both
 * see them as they were before either wrote. An advisory lock makes such transactions queue, as
 * BEGIN IMMEDIATE does on SQLite; FOR UPDATE SKIP LOCKED lets queue claims share the rows out.
 */
export const postgresStoreDialect: StoreDialect = {
  name: 'postgres',
  async acquireTransactionLock(trx, key) {
    // Keep the keys as they are ('mloop.models.activate', ...): during a rolling upgrade the old
    // and the new release must queue on the same lock.
    await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
  },
  // A row another claim has locked is skipped; one whose claim committed meanwhile is checked
  // against the WHERE clause again, and dropped if it no longer matches.
  skipLocked: (query) => query.forUpdate().skipLocked(),
};
