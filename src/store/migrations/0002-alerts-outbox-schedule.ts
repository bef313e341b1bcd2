import type { Migration } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import type { Db } from './migration-helpers.js';
import { autoIncrementId, oneOf } from './migration-helpers.js';

export function alertsOutboxSchedule(dialect: Dialect): Migration {
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
