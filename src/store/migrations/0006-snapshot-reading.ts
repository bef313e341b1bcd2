import type { Migration } from 'kysely';
import type { Db } from './migration-helpers.js';

/**
 * A snapshot says how it was read: the reading options (label, header, columns, delimiter, missing
 * values, categorical columns...) as JSON, with the key of the source and options that made it,
 * so it is read back the same way whatever the configuration says later, and a change of source or
 * options is seen; and how many rows had no label. Older snapshots have neither (null, 0).
 */
export function snapshotReading(): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema.alterTable('snapshots').addColumn('reading_json', 'text').execute();
      await db.schema.alterTable('snapshots').addColumn('reading_key', 'text').execute();
      await db.schema
        .alterTable('snapshots')
        .addColumn('unlabelled_rows', 'integer', (col) => col.notNull().defaultTo(0))
        .execute();
    },
  };
}
