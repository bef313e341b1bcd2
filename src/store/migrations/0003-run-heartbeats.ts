import type { Migration } from 'kysely';
import { sql } from 'kysely';
import type { Db } from './migration-helpers.js';
import { oneOf } from './migration-helpers.js';

/**
 * Runs that survive their process: a heartbeat column that the process executing a run refreshes,
 * so that any replica can tell an abandoned run from a slow one; and at most one training queued or
 * running in the whole database, so a training asked for through any replica runs once.
 */
export function runHeartbeats(): Migration {
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
