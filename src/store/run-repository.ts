import type { Insertable, Kysely, Selectable, UpdateObject } from 'kysely';
import type { JobKind } from '../core/schedule-policy.js';
import { sql } from 'kysely';
import type { Instant } from './column-values.js';
import { fromJson, fromJsonOrNull, isoTime, isoTimeOrNull, toJson, toJsonOrNull } from './column-values.js';
import { RecordNotFoundError, RunStatusError } from './errors.js';
import type { DatabaseSchema, Page, RunsTable } from './schema.js';

/** A run's kind is the job it does. */
export type RunKind = JobKind;

/** The error of a run whose process stopped beating. */
export const abandonedError = 'abandoned: the process running it stopped';
export const runStatuses = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** One piece of background work (update the data, train, check the active model) and its outcome. */
export interface Run {
  readonly id: number;
  readonly kind: RunKind;
  /** Who asked: 'startup', 'api', 'tutorial', 'cli', 'schedule', ... */
  readonly trigger: string;
  readonly status: RunStatus;
  readonly params: unknown;
  readonly scheduledFor: string | null;
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly attempts: number;
  readonly progressDone: number | null;
  readonly progressTotal: number | null;
  readonly result: unknown;
  readonly error: string | null;
}

export interface CreateRunInput {
  readonly kind: RunKind;
  readonly trigger: string;
  readonly params: unknown;
  readonly scheduledFor?: Instant | null;
  readonly now: Instant;
}

/** A scheduled tick: `scheduledFor` is the tick's time, which together with `kind` names it. */
export interface ClaimScheduledInput extends CreateRunInput {
  readonly scheduledFor: Instant;
}

export interface RunListQuery extends Page {
  readonly kind?: RunKind;
}

export interface RunHistory {
  readonly firstQueuedAt: string | null;
  readonly lastSucceededAt: string | null;
}

export class RunRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Queues a run. */
  async create(input: CreateRunInput): Promise<Run> {
    const row = await this.db.insertInto('runs').values(queuedRun(input)).returningAll().executeTakeFirstOrThrow();
    return toRun(row);
  }

  /**
   * Queues the run of one scheduled tick, unless a run of this kind was already made for the same
   * `scheduledFor`: then it returns undefined. Every replica's scheduler may call this for the same
   * tick; the unique index on (kind, scheduled_for) lets exactly one insert land, and the others
   * (waiting for it on PostgreSQL, queued behind the write lock on SQLite) do nothing.
   */
  async claimScheduled(input: ClaimScheduledInput): Promise<Run | undefined> {
    const row = await this.db
      .insertInto('runs')
      .values(queuedRun(input))
      .onConflict((oc) => oc.columns(['kind', 'scheduled_for']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && toRun(row);
  }

  /** The run of the latest tick claimed for this kind (greatest `scheduledFor`), if any. */
  async lastScheduled(kind: RunKind): Promise<Run | undefined> {
    const row = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('kind', '=', kind)
      .where('scheduled_for', 'is not', null)
      .orderBy('scheduled_for', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toRun(row);
  }

  /**
   * When a run of this kind was first queued, and when the latest one that succeeded ended: how
   * long that job's work has gone undone (the data source's freshness, for `update`).
   */
  async history(kind: RunKind): Promise<RunHistory> {
    const row = await this.db
      .selectFrom('runs')
      .select((eb) => [
        eb.fn.min('queued_at').as('first_queued_at'),
        eb.fn.max(eb.case().when('status', '=', 'succeeded').then(eb.ref('finished_at')).end()).as('last_succeeded_at'),
      ])
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    return { firstQueuedAt: row.first_queued_at ?? null, lastSucceededAt: row.last_succeeded_at ?? null };
  }

  /** Marks the run running and counts the attempt; a retried run starts afresh. */
  async start(id: number, now: Instant): Promise<Run> {
    const startedAt = isoTime(now);
    return this.update(id, {
      status: 'running',
      started_at: startedAt,
      heartbeat_at: startedAt,
      finished_at: null,
      attempts: sql<number>`${sql.ref('attempts')} + 1`,
      result_json: null,
      error: null,
    });
  }

  async progress(id: number, done: number, total: number): Promise<Run> {
    return this.update(id, { progress_done: done, progress_total: total });
  }

  async succeed(id: number, result: unknown, now: Instant): Promise<Run> {
    const finishedAt = isoTime(now);
    const resultJson = toJsonOrNull(result);
    return this.update(id, { status: 'succeeded', finished_at: finishedAt, result_json: resultJson, error: null });
  }

  async fail(id: number, error: string, now: Instant): Promise<Run> {
    const finishedAt = isoTime(now);
    return this.update(id, { status: 'failed', finished_at: finishedAt, error });
  }

  /**
   * Records that the attempt failed and another will follow: the run goes back to 'queued' with
   * the attempt's error, keeping `attempts` (counted by `start`) and `startedAt`. The attempt may
   * still be 'running' or may have recorded its own failure ('failed') already.
   * So one tick stays one run through its retries: `start` → `retry` → (backoff) → `start` → ...
   * ending in `succeed`, or in `fail` once the retries are used up. A queued run still counts as
   * in the way for `running(kind)`, so nothing else of its kind starts during the backoff.
   */
  async retry(id: number, error: string, now: Instant): Promise<Run> {
    // Checked like every step's time, so a bad clock value fails here too; a waiting run has no column for it.
    isoTime(now);
    const row = await this.db
      .updateTable('runs')
      .set({ status: 'queued', finished_at: null, error, heartbeat_at: isoTime(now) })
      .where('id', '=', id)
      .where('status', 'in', ['running', 'failed'])
      .returningAll()
      .executeTakeFirst();
    if (row) return toRun(row);
    const existing = await this.get(id);
    if (!existing) throw new RecordNotFoundError('run', id);
    throw new RunStatusError(id, existing.status, 'retry');
  }

  async get(id: number): Promise<Run | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRun(row);
  }

  /** Newest first, of one kind or of all. */
  async list(query: RunListQuery): Promise<Run[]> {
    let select = this.db.selectFrom('runs').selectAll();
    if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(query.limit)
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(toRun);
  }

  /** The oldest run of this kind that is queued or running, if any: the one in the way of a new one. */
  async running(kind: RunKind): Promise<Run | undefined> {
    const row = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('kind', '=', kind)
      .where('status', 'in', ['queued', 'running'])
      .orderBy('id', 'asc')
      .limit(1)
      .executeTakeFirst();
    return row && toRun(row);
  }

  /** Tells the other processes that these runs are still being worked on. */
  async heartbeat(ids: readonly number[], now: Instant): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('runs').set({ heartbeat_at: isoTime(now) }).where('id', 'in', [...ids]).where('status', 'in', ['queued', 'running']).execute();
  }

  /**
   * Fails the queued or running runs whose process stopped beating before `staleBefore` (killed,
   * crashed, machine gone), so they no longer block the next training or tick. Returns them as they
   * are now: exactly one caller gets each (the update is atomic), so one process decides what follows.
   */
  async abandonStale(staleBefore: Instant, now: Instant): Promise<Run[]> {
    const rows = await this.db
      .updateTable('runs')
      .set({ status: 'failed', finished_at: isoTime(now), error: abandonedError })
      .where('status', 'in', ['queued', 'running'])
      .where(sql<string>`coalesce(${sql.ref('heartbeat_at')}, ${sql.ref('queued_at')})`, '<', isoTime(staleBefore))
      .returningAll()
      .execute();
    return rows.map(toRun);
  }

  private async update(id: number, changes: UpdateObject<DatabaseSchema, 'runs'>): Promise<Run> {
    const row = await this.db.updateTable('runs').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw new RecordNotFoundError('run', id);
    return toRun(row);
  }
}

function queuedRun(input: CreateRunInput): Insertable<RunsTable> {
  return {
    kind: input.kind,
    trigger: input.trigger,
    status: 'queued',
    params_json: toJson(input.params),
    scheduled_for: isoTimeOrNull(input.scheduledFor),
    queued_at: isoTime(input.now),
    heartbeat_at: isoTime(input.now),
    attempts: 0,
  };
}

function toRun(row: Selectable<RunsTable>): Run {
  return {
    id: row.id,
    kind: row.kind as RunKind,
    trigger: row.trigger,
    status: row.status as RunStatus,
    params: fromJson(row.params_json),
    scheduledFor: row.scheduled_for,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    attempts: row.attempts,
    progressDone: row.progress_done,
    progressTotal: row.progress_total,
    result: fromJsonOrNull(row.result_json),
    error: row.error,
  };
}
