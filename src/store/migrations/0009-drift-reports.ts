import type { Migration } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import type { Db } from './migration-helpers.js';
import { autoIncrementId } from './migration-helpers.js';

/**
 * Computed drift reports, so that reading drift is a lookup: the check job computes one, and a
 * request computes one only when the newest is older than `monitor.driftMinInterval`. The report
 * is JSON, as a run's result is.
 */
export function driftReports(dialect: Dialect): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema
        .createTable('drift_reports')
        .addColumn('id', 'integer', autoIncrementId(dialect))
        .addColumn('computed_at', 'text', (col) => col.notNull())
        .addColumn('model_version', 'integer', (col) => col.notNull())
        .addColumn('run_id', 'integer')
        .addColumn('result_json', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('drift_reports_model_version_index').on('drift_reports').columns(['model_version', 'id']).execute();
    },
  };
}
