import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { PairedCount, RolloutOutcome } from '../core/rollout-rule.js';
import type { AuditAction, AuditActor } from './audit-repository.js';
import { insertAuditEntry } from './audit-repository.js';
import type { Instant } from './column-values.js';
import { fromJsonOrNull, isoTime, toJson } from './column-values.js';
import { ActiveModelChangedError, RecordNotFoundError } from './errors.js';
import type { ActivationReason } from './model-repository.js';
import { activateIn, activationLock, setServing } from './model-repository.js';
import type { DatabaseSchema, Page, RolloutsTable } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

/** The strategies a rollout runs under (`immediate` has none). */
export type RolloutMode = 'shadow' | 'canary';

export interface Rollout {
  readonly id: number;
  readonly strategy: RolloutMode;
  readonly canaryPercent: number;
  readonly championVersion: number;
  readonly challengerVersion: number;
  readonly startedAt: string;
  /** Null while the rollout is under way. */
  readonly endedAt: string | null;
  readonly outcome: RolloutOutcome | null;
  readonly reason: string | null;
  readonly decidedBy: AuditActor | null;
  /** The figures the decision was taken on (the rule's score), as JSON. */
  readonly score: unknown;
}

export interface NewRollout {
  readonly strategy: RolloutMode;
  readonly canaryPercent: number;
  readonly championVersion: number;
  readonly challengerVersion: number;
  readonly now: Instant;
  readonly actor: AuditActor;
  readonly reason: string | null;
  readonly runId?: number | null;
}

export interface RolloutEnd {
  readonly outcome: RolloutOutcome;
  readonly reason: string;
  readonly actor: AuditActor;
  readonly score: unknown;
  readonly now: Instant;
  /** The audit log's action; with `activation`, the challenger is put into service in the same transaction. */
  readonly action: AuditAction;
  readonly activation?: ActivationReason;
}

/** The answer of the model that did not answer a request row (see migration 0011). */
export interface RolloutAnswer {
  readonly predictionId: string;
  readonly rolloutId: number;
  readonly modelVersion: number;
  readonly label: string;
  readonly decision: number;
  readonly createdAt: Instant;
}

/** Rows one retention statement deletes (as the prediction log's). */
const purgeBatch = 200;
const insertChunk = 100;

/**
 * Rollouts: at most one open at a time in the whole database (a unique index), so every replica
 * serves the same champion and challenger; each ends once, by whichever process claims it first
 * (an update of the open row that only one transaction can make).
 */
export class RolloutRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly dialect: StoreDialect,
  ) {}

  /** The rollout under way, if any. */
  async open(): Promise<Rollout | undefined> {
    const row = await this.db.selectFrom('rollouts').selectAll().where('state', '=', 'open').executeTakeFirst();
    return row && toRollout(row);
  }

  async get(id: number): Promise<Rollout | undefined> {
    const row = await this.db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRollout(row);
  }

  /** Newest first. */
  async list(page: Page): Promise<Rollout[]> {
    const rows = await this.db.selectFrom('rollouts').selectAll().orderBy('id', 'desc').limit(page.limit).offset(page.offset ?? 0).execute();
    return rows.map(toRollout);
  }

  /**
   * Starts a rollout of `challengerVersion` against `championVersion`, which must still serve
   * (ActiveModelChangedError otherwise). A rollout under way ends as `replaced`, its challenger
   * retired; both changes go to the audit log, all in one transaction.
   */
  async start(input: NewRollout): Promise<{ rollout: Rollout; replaced: Rollout | null }> {
    const now = isoTime(input.now);
    return this.db.transaction().execute(async (trx) => {
      await this.dialect.acquireTransactionLock(trx, activationLock);
      const active = await trx.selectFrom('models').select('version').where('serving_status', '=', 'active').executeTakeFirst();
      if (active?.version !== input.championVersion) throw new ActiveModelChangedError(input.challengerVersion, input.championVersion, active?.version ?? null);
      const challenger = await trx.selectFrom('models').select('version').where('version', '=', input.challengerVersion).executeTakeFirst();
      if (!challenger) throw new RecordNotFoundError('model', input.challengerVersion);
      let replaced: Rollout | null = null;
      const previous = await trx.selectFrom('rollouts').selectAll().where('state', '=', 'open').executeTakeFirst();
      if (previous) {
        const reason = `replaced by v${input.challengerVersion}, a newer model that passed the promotion gate`;
        replaced = await endIn(trx, previous, { outcome: 'replaced', reason, actor: input.actor, score: null, now, action: 'rollout_replaced' });
      }
      const row = await trx
        .insertInto('rollouts')
        .values({
          strategy: input.strategy,
          canary_percent: input.canaryPercent,
          champion_version: input.championVersion,
          challenger_version: input.challengerVersion,
          state: 'open',
          started_at: now,
          ended_at: null,
          outcome: null,
          reason: null,
          decided_by: null,
          score_json: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await setServing(trx, input.challengerVersion, 'challenger');
      await insertAuditEntry(trx, { action: 'rollout_start', actor: input.actor, reason: input.reason, runId: input.runId ?? null, fromVersion: input.championVersion, toVersion: input.challengerVersion, now });
      return { rollout: toRollout(row), replaced };
    });
  }

  /**
   * Ends rollout `id` if it is still open, and returns it ended; undefined if another process (or
   * an earlier call) ended it first, so a decision is taken once. With `end.activation` the
   * challenger serves from the same transaction on; otherwise it is retired.
   */
  async end(id: number, end: RolloutEnd): Promise<Rollout | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await this.dialect.acquireTransactionLock(trx, activationLock);
      const open = await trx.selectFrom('rollouts').selectAll().where('id', '=', id).where('state', '=', 'open').executeTakeFirst();
      if (!open) return undefined;
      return endIn(trx, open, end);
    });
  }

  /** Stores the other model's answers; an answer stored already (a retried batch) is skipped. */
  async insertAnswers(answers: readonly RolloutAnswer[]): Promise<void> {
    if (answers.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < answers.length; i += insertChunk) {
        const values = answers.slice(i, i + insertChunk).map((a) => ({
          prediction_id: a.predictionId,
          rollout_id: a.rolloutId,
          model_version: a.modelVersion,
          label: a.label,
          decision: a.decision,
          created_at: isoTime(a.createdAt),
        }));
        await trx.insertInto('rollout_answers').values(values).onConflict((c) => c.column('prediction_id').doNothing()).execute();
      }
    });
  }

  /**
   * The rollout's confirmed cases that both models answered, tallied by the champion's answer, the
   * challenger's and the confirmed label: whichever answered the request is in the prediction log,
   * the other in `rollout_answers`.
   */
  async sharedCounts(rollout: Pick<Rollout, 'id' | 'championVersion' | 'challengerVersion'>): Promise<PairedCount[]> {
    const rows = await this.db
      .selectFrom('rollout_answers as a')
      .innerJoin('predictions as p', 'p.id', 'a.prediction_id')
      .select(['p.model_version as answeredBy', 'p.label as answered', 'a.label as other', 'p.actual as actual'])
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('a.rollout_id', '=', rollout.id)
      .where('p.actual', 'is not', null)
      .groupBy(['p.model_version', 'p.label', 'a.label', 'p.actual'])
      .execute();
    const counts: PairedCount[] = [];
    for (const r of rows) {
      const actual = r.actual as string;
      const count = Number(r.n);
      if (r.answeredBy === rollout.championVersion) counts.push({ championLabel: r.answered, challengerLabel: r.other, actual, count });
      else if (r.answeredBy === rollout.challengerVersion) counts.push({ championLabel: r.other, challengerLabel: r.answered, actual, count });
    }
    return counts;
  }

  /** Deletes answers older than the retention period, a batch per statement; returns how many went. */
  async purgeAnswersBefore(before: Instant): Promise<number> {
    const cutoff = isoTime(before);
    let deleted = 0;
    for (;;) {
      const oldest = this.db.selectFrom('rollout_answers').select('prediction_id').where('created_at', '<', cutoff).orderBy('created_at').limit(purgeBatch);
      const result = await this.db.deleteFrom('rollout_answers').where('prediction_id', 'in', oldest).executeTakeFirst();
      const n = Number(result.numDeletedRows);
      deleted += n;
      if (n < purgeBatch) return deleted;
      await yieldToEventLoop();
    }
  }
}

/** Ends an open rollout inside a transaction that holds `activationLock`. */
async function endIn(trx: Transaction<DatabaseSchema>, open: Selectable<RolloutsTable>, end: RolloutEnd): Promise<Rollout> {
  const now = isoTime(end.now);
  const row = await trx
    .updateTable('rollouts')
    .set({ state: 'ended', ended_at: now, outcome: end.outcome, reason: end.reason, decided_by: end.actor, score_json: end.score === null ? null : toJson(end.score) })
    .where('id', '=', open.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const audit = { action: end.action, actor: end.actor, reason: end.reason };
  if (end.activation) {
    await activateIn(trx, open.challenger_version, { reason: end.activation, now, audit, replacing: open.champion_version });
  } else {
    const challenger = await trx.selectFrom('models').select('serving_status').where('version', '=', open.challenger_version).executeTakeFirstOrThrow();
    // An admin may have promoted the challenger by hand meanwhile: it keeps serving.
    if (challenger.serving_status !== 'active') await setServing(trx, open.challenger_version, 'retired');
    await insertAuditEntry(trx, { ...audit, fromVersion: open.champion_version, toVersion: open.challenger_version, now });
  }
  return toRollout(row);
}

function toRollout(row: Selectable<RolloutsTable>): Rollout {
  return {
    id: row.id,
    strategy: row.strategy as RolloutMode,
    canaryPercent: row.canary_percent,
    championVersion: row.champion_version,
    challengerVersion: row.challenger_version,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    outcome: row.outcome as RolloutOutcome | null,
    reason: row.reason,
    decidedBy: row.decided_by as AuditActor | null,
    score: fromJsonOrNull(row.score_json),
  };
}
