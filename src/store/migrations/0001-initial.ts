import type { Migration } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import type { Db } from './migration-helpers.js';
import { autoIncrementId, oneOf } from './migration-helpers.js';

export function initial(dialect: Dialect): Migration {
  const id = autoIncrementId(dialect);
  return {
    async up(db: Db): Promise<void> {
      // Content-addressed, so re-reading an unchanged data source stores its text once.
      await db.schema
        .createTable('snapshot_contents')
        .addColumn('content_hash', 'text', (col) => col.primaryKey())
        .addColumn('text', 'text', (col) => col.notNull())
        .execute();

      await db.schema
        .createTable('snapshots')
        .addColumn('id', 'integer', id)
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('source', 'text', (col) => col.notNull())
        .addColumn('content_hash', 'text', (col) => col.notNull().references('snapshot_contents.content_hash'))
        .addColumn('row_count', 'integer', (col) => col.notNull())
        .addColumn('class_counts_json', 'text', (col) => col.notNull())
        .addColumn('feature_names_json', 'text', (col) => col.notNull())
        .execute();

      await db.schema
        .createTable('runs')
        .addColumn('id', 'integer', id)
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('trigger', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('params_json', 'text', (col) => col.notNull())
        .addColumn('scheduled_for', 'text')
        .addColumn('queued_at', 'text', (col) => col.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('progress_done', 'integer')
        .addColumn('progress_total', 'integer')
        .addColumn('result_json', 'text')
        .addColumn('error', 'text')
        .addCheckConstraint('runs_kind_check', oneOf('kind', ['update', 'train', 'check']))
        .addCheckConstraint('runs_status_check', oneOf('status', ['queued', 'running', 'succeeded', 'failed']))
        .execute();
      await db.schema.createIndex('runs_kind_status_index').on('runs').columns(['kind', 'status']).execute();

      await db.schema
        .createTable('models')
        .addColumn('version', 'integer', id)
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('mode', 'text', (col) => col.notNull())
        .addColumn('params_json', 'text', (col) => col.notNull())
        .addColumn('pipeline_json', 'text', (col) => col.notNull())
        .addColumn('grid_search_json', 'text')
        .addColumn('snapshot_id', 'integer', (col) => col.notNull().references('snapshots.id'))
        .addColumn('metrics_json', 'text', (col) => col.notNull())
        .addColumn('report_text', 'text', (col) => col.notNull())
        .addColumn('monitored_metric', 'text', (col) => col.notNull())
        // 'double precision' is an 8-byte IEEE double on PostgreSQL and has REAL affinity on SQLite.
        .addColumn('monitored_value', 'double precision', (col) => col.notNull())
        .addColumn('threshold', 'double precision', (col) => col.notNull())
        .addColumn('training_ms', 'double precision', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('gate_reason', 'text')
        .addColumn('run_id', 'integer', (col) => col.references('runs.id'))
        .addCheckConstraint('models_mode_check', oneOf('mode', ['basic', 'normalized', 'gridsearch']))
        .addCheckConstraint('models_status_check', oneOf('status', ['active', 'candidate', 'rejected', 'retired']))
        .execute();
      // "Exactly one active model" is guarded by the database too, so that a second writer (another
      // replica, a hand-written UPDATE) cannot leave two models serving at once.
      await db.schema
        .createIndex('models_one_active_index')
        .unique()
        .on('models')
        .column('status')
        .where('status', '=', 'active')
        .execute();

      await db.schema
        .createTable('activations')
        .addColumn('id', 'integer', id)
        .addColumn('model_version', 'integer', (col) => col.notNull().references('models.version'))
        .addColumn('previous_version', 'integer', (col) => col.references('models.version'))
        .addColumn('reason', 'text', (col) => col.notNull())
        .addColumn('activated_at', 'text', (col) => col.notNull())
        .addCheckConstraint('activations_reason_check', oneOf('reason', ['first', 'gate', 'promote', 'rollback']))
        .execute();
      await db.schema
        .createTable('checks')
        .addColumn('id', 'integer', id)
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('model_version', 'integer', (col) => col.notNull().references('models.version'))
        .addColumn('snapshot_id', 'integer', (col) => col.notNull().references('snapshots.id'))
        .addColumn('metric', 'text', (col) => col.notNull())
        .addColumn('value', 'double precision', (col) => col.notNull())
        .addColumn('threshold', 'double precision', (col) => col.notNull())
        .addColumn('passed', 'integer', (col) => col.notNull())
        .addColumn('source', 'text', (col) => col.notNull())
        .addCheckConstraint('checks_passed_check', sql`passed in (0, 1)`)
        .addCheckConstraint('checks_source_check', oneOf('source', ['training', 'check']))
        .execute();
      await db.schema.createIndex('checks_model_version_index').on('checks').columns(['model_version', 'id']).execute();
    },
  };
}
