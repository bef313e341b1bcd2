import type { Migration } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import type { Db } from './migration-helpers.js';
import { autoIncrementId, oneOf } from './migration-helpers.js';

const statuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/**
 * Runs that can be stopped, and whose process can be told dead: a 'cancelled' status, the time a
 * cancel was asked for (the process running the run reads it with its heartbeat), and the run's
 * owner (host, pid, process start) so that a run whose process died on this machine is failed at
 * once instead of after the heartbeat's stale limit.
 *
 * PostgreSQL widens the status check in place. SQLite cannot change a check constraint, so the
 * table is rebuilt; models.run_id refers to it, so the foreign keys are deferred to the commit,
 * by which time every run is back under its id (SQLite counts the references the drop broke and
 * the reinsertion mended, and refuses the commit if any is left).
 */
export function runControl(dialect: Dialect): Migration {
  return {
    async up(db: Db): Promise<void> {
      if (dialect === 'postgres') {
        await db.schema.alterTable('runs').addColumn('owner_json', 'text').execute();
        await db.schema.alterTable('runs').addColumn('cancel_requested_at', 'text').execute();
        await db.schema.alterTable('runs').dropConstraint('runs_status_check').execute();
        await db.schema.alterTable('runs').addCheckConstraint('runs_status_check', oneOf('status', statuses)).execute();
        return;
      }
      await sql`pragma defer_foreign_keys = on`.execute(db);
      const { rows: sequence } = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'runs'`.execute(db);
      await sql`create table runs_before_0006 as select * from runs`.execute(db);
      await db.schema.dropTable('runs').execute();
      await db.schema
        .createTable('runs')
        .addColumn('id', 'integer', autoIncrementId(dialect))
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
        .addColumn('heartbeat_at', 'text')
        .addColumn('owner_json', 'text')
        .addColumn('cancel_requested_at', 'text')
        .addCheckConstraint('runs_kind_check', oneOf('kind', ['update', 'train', 'check']))
        .addCheckConstraint('runs_status_check', oneOf('status', statuses))
        .execute();
      const copied = sql.join(
        ['id', 'kind', 'trigger', 'status', 'params_json', 'scheduled_for', 'queued_at', 'started_at', 'finished_at', 'attempts', 'progress_done', 'progress_total', 'result_json', 'error', 'heartbeat_at'].map(
          (column) => sql.ref(column),
        ),
      );
      await sql`insert into runs (${copied}) select ${copied} from runs_before_0006`.execute(db);
      await db.schema.dropTable('runs_before_0006').execute();
      // AUTOINCREMENT never reuses an id, even of a deleted run: keep the counter the old table had.
      if (sequence.length > 0) await sql`update sqlite_sequence set seq = ${sequence[0].seq} where name = 'runs'`.execute(db);
      // The indexes went with the old table (0001, 0002, 0003).
      await db.schema.createIndex('runs_kind_status_index').on('runs').columns(['kind', 'status']).execute();
      await db.schema.createIndex('runs_kind_scheduled_for_index').unique().on('runs').columns(['kind', 'scheduled_for']).execute();
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
