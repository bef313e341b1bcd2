import type { Insertable, Kysely, Selectable, UpdateObject } from 'kysely';
import type { ProcessOwner } from '../core/process-owner.js';
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
/** The error of a run whose process is known to have died on this machine (see ProcessOwner). */
export const abandonedDeadError = 'abandoned: the process running it died';
export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];
/** The statuses of a run that is not over: it is in the way of another of its kind. */
const activeStatuses = ['queued', 'running'] as const satisfies readonly RunStatus[];

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
  /** The process that executes it (or last did), when recorded. */
  readonly owner: ProcessOwner | null;
  /** When a cancel was asked for while it ran; its process stops it at its next heartbeat. */
  readonly cancelRequestedAt: string | null;
}

export interface CreateRunInput {
  readonly kind: RunKind;
  readonly trigger: string;
  readonly params: unknown;
  readonly scheduledFor?: Instant | null;
  readonly now: Instant;
  /** The process that will execute it; without it only the heartbeat tells whether it is alive. */
  readonly owner?: ProcessOwner | null;
}

/** What a heartbeat learns of the runs it keeps alive. */
export interface HeartbeatReply {
  /** Runs that are no longer queued or running (finished elsewhere: cancelled, or failed as abandoned). */
  readonly gone: readonly number[];
  /** Running runs whose cancel was asked for. */
  readonly cancelRequested: readonly number[];
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

  /**
   * Marks a queued run running and counts the attempt; a retried run starts afresh. A run that is
   * not queued (cancelled while it waited, say) is not started: RunStatusError.
   */
  async start(id: number, now: Instant, owner?: ProcessOwner | null): Promise<Run> {
    const startedAt = isoTime(now);
    return this.transition(id, ['queued'], 'start', {
      status: 'running',
      started_at: startedAt,
      heartbeat_at: startedAt,
      finished_at: null,
      attempts: sql<number>`${sql.ref('attempts')} + 1`,
      result_json: null,
      error: null,
      cancel_requested_at: null,
      ...ownerColumn(owner),
    });
  }

  async progress(id: number, done: number, total: number): Promise<Run> {
    return this.update(id, { progress_done: done, progress_total: total });
  }

  /** Records a running run's result. A run finished meanwhile (cancelled, abandoned) keeps its status: RunStatusError. */
  async succeed(id: number, result: unknown, now: Instant): Promise<Run> {
    const finishedAt = isoTime(now);
    const resultJson = toJsonOrNull(result);
    return this.transition(id, ['running'], 'succeed', { status: 'succeeded', finished_at: finishedAt, result_json: resultJson, error: null });
  }

  /** Records why a queued or running run failed. A run finished meanwhile keeps its status: RunStatusError. */
  async fail(id: number, error: string, now: Instant): Promise<Run> {
    const finishedAt = isoTime(now);
    return this.transition(id, activeStatuses, 'fail', { status: 'failed', finished_at: finishedAt, error });
  }

  /**
   * Ends a run as cancelled, with why. `from` says which statuses it may be cancelled from: only
   * 'queued' for anyone but the run's own process, which stops its work first.
   */
  async cancel(id: number, reason: string, now: Instant, from: readonly RunStatus[] = activeStatuses): Promise<Run> {
    return this.transition(id, from, 'cancel', { status: 'cancelled', finished_at: isoTime(now), error: reason });
  }

  /** Asks the process of a running run to stop it (it reads this with its heartbeat); the run as it is now. */
  async requestCancel(id: number, now: Instant): Promise<Run> {
    return this.transition(id, ['running'], 'cancel', { cancel_requested_at: sql<string>`coalesce(${sql.ref('cancel_requested_at')}, ${isoTime(now)})` });
  }

  /**
   * Records that the attempt failed and another will follow: the run goes back to 'queued' with
   * the attempt's error, keeping `attempts` (counted by `start`) and `startedAt`. The attempt may
   * still be 'running' or may have recorded its own failure ('failed') already.
   * So one tick stays one run through its retries: `start` → `retry` → (backoff) → `start` → ...
   * ending in `succeed`, or in `fail` once the retries are used up. A queued run still counts as
   * in the way for `running(kind)`, so nothing else of its kind starts during the backoff.
   */
  async retry(id: number, error: string, now: Instant, owner?: ProcessOwner | null): Promise<Run> {
    return this.transition(id, ['running', 'failed'], 'retry', { status: 'queued', finished_at: null, error, heartbeat_at: isoTime(now), ...ownerColumn(owner) });
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
      .where('status', 'in', activeStatuses)
      .orderBy('id', 'asc')
      .limit(1)
      .executeTakeFirst();
    return row && toRun(row);
  }

  /** Every queued or running run, oldest first (a handful at most: one per kind and tick). */
  async active(): Promise<Run[]> {
    const rows = await this.db.selectFrom('runs').selectAll().where('status', 'in', activeStatuses).orderBy('id', 'asc').execute();
    return rows.map(toRun);
  }

  /**
   * Tells the other processes that these runs are still being worked on, and tells the caller
   * which of them to stop: those finished elsewhere meanwhile, and those whose cancel was asked for.
   */
  async heartbeat(ids: readonly number[], now: Instant): Promise<HeartbeatReply> {
    if (ids.length === 0) return { gone: [], cancelRequested: [] };
    const rows = await this.db
      .updateTable('runs')
      .set({ heartbeat_at: isoTime(now) })
      .where('id', 'in', [...ids])
      .where('status', 'in', activeStatuses)
      .returning(['id', 'status', 'cancel_requested_at'])
      .execute();
    const beating = new Set(rows.map((r) => r.id));
    return {
      gone: ids.filter((id) => !beating.has(id)),
      cancelRequested: rows.filter((r) => r.status === 'running' && r.cancel_requested_at !== null).map((r) => r.id),
    };
  }

  /**
   * Fails a queued or running run as abandoned because its process died, unless it changed hands
   * since `run` was read (a retry queued by another process): exactly one caller gets it back.
   */
  async abandon(run: Run, error: string, now: Instant): Promise<Run | undefined> {
    const row = await this.db
      .updateTable('runs')
      .set({ status: 'failed', finished_at: isoTime(now), error })
      .where('id', '=', run.id)
      .where('status', 'in', activeStatuses)
      .where('owner_json', '=', toJson(run.owner))
      .returningAll()
      .executeTakeFirst();
    return row && toRun(row);
  }

  /**
   * Fails the queued or running runs whose process stopped beating before `staleBefore` (killed,
   * crashed, machine gone), so they no longer block the next training or tick; with `scheduled:
   * false`, not the runs of scheduled ticks. Returns them as they are now: exactly one caller gets
   * each (the update is atomic), so one process decides what follows.
   */
  async abandonStale(staleBefore: Instant, now: Instant, options: { readonly scheduled?: boolean } = {}): Promise<Run[]> {
    let update = this.db
      .updateTable('runs')
      .set({ status: 'failed', finished_at: isoTime(now), error: abandonedError })
      .where('status', 'in', activeStatuses)
      .where(sql<string>`coalesce(${sql.ref('heartbeat_at')}, ${sql.ref('queued_at')})`, '<', isoTime(staleBefore));
    if (options.scheduled === false) update = update.where('scheduled_for', 'is', null);
    const rows = await update.returningAll().execute();
    return rows.map(toRun);
  }

  private async update(id: number, changes: UpdateObject<DatabaseSchema, 'runs'>): Promise<Run> {
    const row = await this.db.updateTable('runs').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw new RecordNotFoundError('run', id);
    return toRun(row);
  }

  /** Applies `changes` if the run's status is one of `from` (atomically), else says why not. */
  private async transition(id: number, from: readonly RunStatus[], step: string, changes: UpdateObject<DatabaseSchema, 'runs'>): Promise<Run> {
    const row = await this.db.updateTable('runs').set(changes).where('id', '=', id).where('status', 'in', [...from]).returningAll().executeTakeFirst();
    if (row) return toRun(row);
    const existing = await this.get(id);
    if (!existing) throw new RecordNotFoundError('run', id);
    throw new RunStatusError(id, existing.status, step);
  }
}

/** The owner column's value, when the caller names one; else the column stays as it is. */
function ownerColumn(owner: ProcessOwner | null | undefined): { owner_json?: string | null } {
  return owner === undefined ? {} : { owner_json: toJsonOrNull(owner) };
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
    owner_json: toJsonOrNull(input.owner ?? null),
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
    owner: fromJsonOrNull(row.owner_json) as ProcessOwner | null,
    cancelRequestedAt: row.cancel_requested_at,
  };
}
