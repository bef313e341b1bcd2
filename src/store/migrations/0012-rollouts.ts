import type { Migration } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import type { Db } from './migration-helpers.js';
import { autoIncrementId, oneOf } from './migration-helpers.js';

/**
 * Rollouts (shadow and canary). `rollouts` holds each rollout, one open at a time across replicas
 * (a unique index on the open state): which champion and challenger, since when, and how it
 * ended. `rollout_answers` holds, per prediction id, the answer of the model that did not answer
 * the request (the challenger in shadow mode, either one in canary mode), so that both models are
 * scored on the same confirmed cases. It is a table of its own, keyed by the prediction's id, so
 * that the prediction log's rows keep their shape.
 */
export function rollouts(dialect: Dialect): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema
        .createTable('rollouts')
        .addColumn('id', 'integer', autoIncrementId(dialect))
        .addColumn('strategy', 'text', (col) => col.notNull().check(oneOf('strategy', ['shadow', 'canary'])))
        .addColumn('canary_percent', 'double precision', (col) => col.notNull())
        .addColumn('champion_version', 'integer', (col) => col.notNull().references('models.version'))
        .addColumn('challenger_version', 'integer', (col) => col.notNull().references('models.version'))
        .addColumn('state', 'text', (col) => col.notNull().check(oneOf('state', ['open', 'ended'])))
        .addColumn('started_at', 'text', (col) => col.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('outcome', 'text')
        .addColumn('reason', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('score_json', 'text')
        .execute();
      await db.schema.createIndex('rollouts_one_open_index').unique().on('rollouts').column('state').where('state', '=', 'open').execute();

      await db.schema
        .createTable('rollout_answers')
        .addColumn('prediction_id', 'text', (col) => col.primaryKey())
        .addColumn('rollout_id', 'integer', (col) => col.notNull().references('rollouts.id'))
        .addColumn('model_version', 'integer', (col) => col.notNull())
        .addColumn('label', 'text', (col) => col.notNull())
        .addColumn('decision', 'double precision', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('rollout_answers_rollout_index').on('rollout_answers').column('rollout_id').execute();
      await db.schema.createIndex('rollout_answers_created_at_index').on('rollout_answers').column('created_at').execute();
    },
  };
}
