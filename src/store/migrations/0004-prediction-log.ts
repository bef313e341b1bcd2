import type { Migration } from 'kysely';
import type { Db } from './migration-helpers.js';

/**
 * Production monitoring: every prediction with its input, answer and (once pathology confirms it)
 * the true label; and, per model, the training split's feature profile that drift is measured
 * against.
 */
export function predictionLog(): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema
        .createTable('predictions')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('model_version', 'integer', (col) => col.notNull())
        .addColumn('route', 'text', (col) => col.notNull())
        .addColumn('input_json', 'text', (col) => col.notNull())
        .addColumn('label', 'text', (col) => col.notNull())
        .addColumn('decision', 'double precision', (col) => col.notNull())
        .addColumn('latency_ms', 'double precision', (col) => col.notNull())
        .addColumn('external_id', 'text')
        .addColumn('actual', 'text')
        .addColumn('confirmed_at', 'text')
        .execute();
      await db.schema.createIndex('predictions_created_at_index').on('predictions').column('created_at').execute();
      await db.schema.createIndex('predictions_external_id_index').on('predictions').column('external_id').execute();
      await db.schema.createIndex('predictions_confirmed_index').on('predictions').columns(['model_version', 'confirmed_at']).execute();
      await db.schema.alterTable('models').addColumn('reference_json', 'text').execute();
    },
  };
}
