import type { Migration } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import type { Db } from './migration-helpers.js';
import { autoIncrementId, oneOf } from './migration-helpers.js';

/**
 * Safe promotion. A model's `status` mixed two facts: the gate's verdict and whether it serves, so
 * promoting a rejected version turned `rejected` into `retired` and the rejection was lost. They
 * become two columns: `gate_verdict` (passed / rejected, never rewritten) and `serving_status`
 * (active / candidate / challenger / retired). `status` stays, written from the two for readers of
 * the old column (and its one-active index): active if it serves, else rejected if the gate
 * rejected it, else its serving status (a challenger reads as candidate).
 *
 * Old rows: the verdict is `rejected` when the row says so or its value is below its threshold (a
 * first model served whatever its value, and a promoted rejected one became `retired`); a version
 * served once if it is active or retired or appears in the activations log.
 *
 * And two new tables: the audit log of every change to what serves, and Alertmanager-style
 * silences. Neither has a check on its kinds (action, actor), so that a later kind (a rollout's
 * start and end) needs no table rebuild on SQLite.
 */
export function promotionSafety(dialect: Dialect): Migration {
  const id = autoIncrementId(dialect);
  return {
    async up(db: Db): Promise<void> {
      await db.schema
        .alterTable('models')
        .addColumn('gate_verdict', 'text', (col) => col.notNull().defaultTo('rejected').check(oneOf('gate_verdict', ['passed', 'rejected'])))
        .execute();
      await db.schema
        .alterTable('models')
        .addColumn('serving_status', 'text', (col) => col.notNull().defaultTo('candidate').check(oneOf('serving_status', ['active', 'candidate', 'challenger', 'retired'])))
        .execute();
      await sql`update models set
          gate_verdict = case when status = 'rejected' or not (monitored_value >= threshold) then 'rejected' else 'passed' end,
          serving_status = case
            when status = 'active' then 'active'
            when status = 'retired' or exists (select 1 from activations where activations.model_version = models.version) then 'retired'
            else 'candidate' end`.execute(db);
      await sql`update models set status = 'rejected' where status = 'retired' and gate_verdict = 'rejected'`.execute(db);
      await db.schema
        .createIndex('models_one_serving_index')
        .unique()
        .on('models')
        .column('serving_status')
        .where('serving_status', '=', 'active')
        .execute();

      await db.schema
        .createTable('registry_audit')
        .addColumn('id', 'integer', id)
        .addColumn('at', 'text', (col) => col.notNull())
        .addColumn('action', 'text', (col) => col.notNull())
        .addColumn('from_version', 'integer', (col) => col.references('models.version'))
        .addColumn('to_version', 'integer', (col) => col.references('models.version'))
        .addColumn('actor', 'text', (col) => col.notNull())
        .addColumn('reason', 'text')
        .addColumn('run_id', 'integer', (col) => col.references('runs.id'))
        .execute();

      await db.schema
        .createTable('silences')
        .addColumn('id', 'integer', id)
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('created_by', 'text', (col) => col.notNull())
        .addColumn('matchers_json', 'text', (col) => col.notNull())
        .addColumn('starts_at', 'text', (col) => col.notNull())
        .addColumn('ends_at', 'text', (col) => col.notNull())
        .addColumn('reason', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('silences_ends_at_index').on('silences').column('ends_at').execute();
    },
  };
}
