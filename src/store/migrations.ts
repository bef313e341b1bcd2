import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import { sql } from 'kysely';
import { float64Blob } from './column-values.js';
import type { Dialect } from './store-dialect.js';

/*
 * Migrations are code and forward-only: a released migration is never edited, a change is a new
 * entry whose name sorts after the last one. They deliberately repeat their enumerations instead
 * of importing the repositories' unions, because a migration must keep meaning what it meant when
 * it first ran.
 *
 * The SQL is the same for both dialects except the auto-increment id, whose spelling differs.
 */

type Db = Kysely<unknown>;

function autoIncrementId(dialect: Dialect): (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'postgres'
    ? (col) => col.primaryKey().generatedByDefaultAsIdentity()
    : (col) => col.primaryKey().autoIncrement();
}

function oneOf(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((value) => sql.lit(value)))})`;
}

function initial(dialect: Dialect): Migration {
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

function alertsOutboxSchedule(dialect: Dialect): Migration {
  const id = autoIncrementId(dialect);
  return {
    async up(db: Db): Promise<void> {
      // Each scheduled tick is claimed by inserting its run: the replica whose insert lands runs it,
      // the others hit this index and do nothing. A plain (not partial) index so that it can be the
      // target of ON CONFLICT on both dialects; runs that no schedule made have scheduled_for NULL,
      // and NULLs never collide in a unique index.
      await db.schema
        .createIndex('runs_kind_scheduled_for_index')
        .unique()
        .on('runs')
        .columns(['kind', 'scheduled_for'])
        .execute();

      // No check on `name`: a new kind of alert should not need a table rebuild on SQLite.
      await db.schema
        .createTable('alerts')
        .addColumn('fingerprint', 'text', (col) => col.primaryKey())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('labels_json', 'text', (col) => col.notNull())
        .addColumn('annotations_json', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('starts_at', 'text', (col) => col.notNull())
        .addColumn('ends_at', 'text')
        .addColumn('last_notified_at', 'text')
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .addCheckConstraint('alerts_status_check', oneOf('status', ['firing', 'resolved']))
        .execute();
      await db.schema.createIndex('alerts_name_index').on('alerts').column('name').execute();

      // No foreign key to alerts: the outbox delivers any notification it is given, and its rows
      // must survive whatever later happens to the alert's state.
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'integer', id)
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('channel', 'text', (col) => col.notNull())
        .addColumn('fingerprint', 'text', (col) => col.notNull())
        .addColumn('status_label', 'text', (col) => col.notNull())
        .addColumn('payload_json', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (col) => col.notNull())
        .addColumn('lease_until', 'text')
        .addColumn('leased_by', 'text')
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'text')
        .addCheckConstraint('outbox_status_label_check', oneOf('status_label', ['firing', 'resolved']))
        .addCheckConstraint('outbox_state_check', oneOf('state', ['pending', 'delivered', 'dead']))
        .execute();
      await db.schema
        .createIndex('outbox_state_next_attempt_at_index')
        .on('outbox')
        .columns(['state', 'next_attempt_at'])
        .execute();
    },
  };
}

/**
 * Runs that survive their process: a heartbeat column that the process executing a run refreshes,
 * so that any replica can tell an abandoned run from a slow one; and at most one training queued or
 * running in the whole database, so a training asked for through any replica runs once.
 */
function runHeartbeats(): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema.alterTable('runs').addColumn('heartbeat_at', 'text').execute();
      await db.schema
        .createIndex('runs_one_active_training_index')
        .on('runs')
        .column('kind')
        .unique()
        .where(sql<boolean>`${sql.ref('kind')} = 'train' and ${oneOf('status', ['queued', 'running'])}`)
        .execute();
    },
  };
}

/**
 * Production monitoring: every prediction with its input, answer and (once pathology confirms it)
 * the true label; and, per model, the training split's feature profile that drift is measured
 * against.
 */
function predictionLog(): Migration {
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

/**
 * The prediction log gets one row per prediction, so its write cost is on every prediction's path.
 * Inputs become a blob of little-endian doubles (a third of the bytes of their JSON text, and no
 * JSON to write or parse; NaN and -0 survive too). The case-number and confirmation indexes
 * become partial: most predictions have neither, and a row an index leaves out costs it nothing.
 * SQLite cannot change a column's type in place, so the table is rebuilt (the same on both
 * dialects) and the rows copied in pages, their inputs converted on the way.
 */
function predictionLogBinaryInputs(dialect: Dialect): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema
        .createTable('predictions_binary')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('model_version', 'integer', (col) => col.notNull())
        .addColumn('route', 'text', (col) => col.notNull())
        .addColumn('input', dialect === 'postgres' ? sql`bytea` : 'blob', (col) => col.notNull())
        .addColumn('label', 'text', (col) => col.notNull())
        .addColumn('decision', 'double precision', (col) => col.notNull())
        .addColumn('latency_ms', 'double precision', (col) => col.notNull())
        .addColumn('external_id', 'text')
        .addColumn('actual', 'text')
        .addColumn('confirmed_at', 'text')
        .execute();
      const kept = ['id', 'created_at', 'model_version', 'route', 'label', 'decision', 'latency_ms', 'external_id', 'actual', 'confirmed_at'];
      const keptColumns = sql.join(kept.map((column) => sql.ref(column)));
      const page = 1000;
      for (let after = ''; ; ) {
        const { rows } = await sql<Record<string, unknown> & { id: string; input_json: string }>`
          select ${keptColumns}, input_json from predictions where id > ${after} order by id limit ${page}`.execute(db);
        if (rows.length === 0) break;
        const values = rows.map((row) => sql`(${sql.join([...kept.map((column) => row[column]), float64Blob(JSON.parse(row.input_json) as number[])])})`);
        await sql`insert into predictions_binary (${keptColumns}, input) values ${sql.join(values)}`.execute(db);
        after = rows[rows.length - 1].id;
      }
      await db.schema.dropTable('predictions').execute();
      await db.schema.alterTable('predictions_binary').renameTo('predictions').execute();
      await db.schema.createIndex('predictions_created_at_index').on('predictions').column('created_at').execute();
      await db.schema
        .createIndex('predictions_external_id_index')
        .on('predictions')
        .column('external_id')
        .where(sql<boolean>`${sql.ref('external_id')} is not null`)
        .execute();
      await db.schema
        .createIndex('predictions_confirmed_index')
        .on('predictions')
        .columns(['model_version', 'confirmed_at'])
        .where(sql<boolean>`${sql.ref('actual')} is not null`)
        .execute();
    },
  };
}

/** The migrations in the order they run (Kysely sorts by name). */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_alerts_outbox_schedule': alertsOutboxSchedule(dialect),
    '0003_run_heartbeats': runHeartbeats(),
    '0004_prediction_log': predictionLog(),
    '0005_prediction_log_binary_inputs': predictionLogBinaryInputs(dialect),
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
