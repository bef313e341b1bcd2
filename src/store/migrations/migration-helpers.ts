import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';

/*
 * Migrations are code and forward-only: a released migration is never edited, a change is a new
 * file whose name sorts after the last one (and its line in index.ts). They deliberately repeat
 * their enumerations instead of importing the repositories' unions, because a migration must keep
 * meaning what it meant when it first ran.
 *
 * The SQL is the same for both dialects except the auto-increment id, whose spelling differs.
 */

export type Db = Kysely<unknown>;

export function autoIncrementId(dialect: Dialect): (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'postgres'
    ? (col) => col.primaryKey().generatedByDefaultAsIdentity()
    : (col) => col.primaryKey().autoIncrement();
}

export function oneOf(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((value) => sql.lit(value)))})`;
}
