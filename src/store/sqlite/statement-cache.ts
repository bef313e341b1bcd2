import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';

/** How many prepared statements a SQLite connection keeps (the most recently used ones). */
const cachedStatements = 256;

/**
 * Kysely asks better-sqlite3 to prepare every query it runs, and preparing costs more than running
 * most of mloop's (the prediction log's batch insert binds over a thousand parameters). The
 * queries mloop runs are few and compiled to the same text each time, so their prepared
 * statements are kept and reused. Reuse is safe because nothing here streams a statement's rows
 * (a statement that is being iterated cannot run again until it is done), and SQLite re-prepares
 * a kept statement by itself if a migration changes the schema under it.
 */
export function withStatementCache(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement !== undefined) {
        statements.delete(sql); // re-inserted below: the map's order is least recently used first
      } else {
        statement = database.prepare(sql);
        if (statements.size >= cachedStatements) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
