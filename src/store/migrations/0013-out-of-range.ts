import type { Migration } from 'kysely';
import type { Db } from './migration-helpers.js';

/**
 * A logged prediction keeps the features whose value was outside the model's training range (a
 * JSON list of names; null when none was, and for the rows logged before this migration).
 */
export function outOfRange(): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema.alterTable('predictions').addColumn('out_of_range', 'text').execute();
    },
  };
}
