import type { Migration } from 'kysely';
import type { Db } from './migration-helpers.js';

/**
 * The prediction log keeps each answer's class probabilities (JSON, by label), null for a model
 * without them and for the rows logged before.
 */
export function predictionProbabilities(): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema.alterTable('predictions').addColumn('probabilities_json', 'text').execute();
    },
  };
}
