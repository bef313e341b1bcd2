import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { JobKind } from '../core/schedule-policy.js';
import { cronZone } from '../core/cron-zone.js';
import { parseDuration } from '../core/duration.js';
import { dueTick, retryDelay } from '../core/schedule-policy.js';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import type { Run } from '../store/run-repository.js';
import type { Alerting } from './alerting.js';
import type { Clock } from './clock.js';
import type { DataSourceHealth } from './data-source-health.js';
import type { Jobs } from './jobs.js';
import { jobKinds } from '../core/schedule-policy.js';
import { RunCancelledError } from './errors.js';
import type { Runs } from './runs.js';

export interface SchedulerDeps {
  readonly schedule: Config['schedule'];
  readonly store: Store;
  readonly runs: Runs;
  /** Runs one attempt of a job on its (claimed) run, and tells whether a job of a kind runs here already. */
  readonly jobs: Pick<Jobs, 'attempt' | 'busy'>;
  readonly alerting: Alerting;
  /** Judged on the timer too, so a source gone stale alerts even when no job runs. */
  readonly sourceHealth: Pick<DataSourceHealth, 'evaluateIfDue'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Waits between retries; tests pass one that advances their clock instead. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A tick seen later than this after its time was missed: the service was down or stalled. */
const graceMs = 5 * 60_000;

/**
 * The tutorial's crontab, inside the service: update, train and check on cron schedules in one
 * time zone. Each tick is claimed as a run in the store (a unique (kind, scheduled time) pair, so
 * one replica runs it), never overlaps a running job of the same kind, and is retried with
 * exponential backoff; a job that fails all its attempts raises the `job_failed` alert. A tick whose
 * process died (its run abandoned) counts as a failed attempt: another replica's scheduler takes it
 * over and retries it, or alerts when its attempts are spent.
 */
export class Scheduler {
  private readonly crons = new Map<JobKind, Cron>();
  private readonly running = new Map<JobKind, Promise<void>>();
  private readonly startedAt: number;
  private readonly backoffMs: number;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<Run[]> | null = null;
  /** Aborted by `stop({ abandonRetries: true })`: a job waiting to retry stops waiting. */
  private waits = new AbortController();

  constructor(private readonly deps: SchedulerDeps) {
    const { schedule } = deps;
    for (const kind of jobKinds) {
      const pattern = schedule[kind];
      if (schedule.enabled && pattern !== null) this.crons.set(kind, new Cron(pattern, { ...cronZone(schedule.timezone), paused: true }));
    }
    this.startedAt = deps.clock.now().getTime();
    this.backoffMs = parseDuration(schedule.backoff);
  }

  /** The next scheduled time of each enabled job after `from`. */
  nextRuns(from = this.deps.clock.now()): Partial<Record<JobKind, string>> {
    const out: Partial<Record<JobKind, string>> = {};
    for (const [kind, cron] of this.crons) {
      const next = cron.nextRun(from);
      if (next) out[kind] = next.toISOString();
    }
    return out;
  }

  /** Checks the schedules once a second; alert repeats and outbox retries ride on the same timer. */
  start(intervalMs = 1_000): void {
    this.timer = setInterval(() => void this.tick().catch((e: unknown) => this.deps.log.error({ err: e }, 'scheduler tick failed')), intervalMs);
    this.timer.unref();
  }

  /** Starts every job that is due now; returns the runs it claimed. */
  tick(): Promise<Run[]> {
    this.ticking ??= this.tickOnce().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async tickOnce(): Promise<Run[]> {
    const { store, clock, alerting } = this.deps;
    const now = clock.now();
    const claimed: Run[] = [];
    // Scheduled ticks are reaped here only, where they are taken over.
    for (const run of await this.deps.runs.reap({ scheduled: true })) await this.takeOver(run);
    for (const [kind, cron] of this.crons) {
      if (this.running.has(kind) || this.deps.jobs.busy(kind)) continue;
      // A job of this kind running elsewhere (another replica, the CLI): the tick waits for it.
      if (await store.runs.running(kind)) continue;
      const last = await store.runs.lastScheduled(kind);
      const due = dueTick({
        lastScheduled: last?.scheduledFor ? Date.parse(last.scheduledFor) : null,
        startedAt: this.startedAt,
        now: now.getTime(),
        nextAfter: (t) => cron.nextRun(new Date(t))?.getTime() ?? null,
        missed: this.deps.schedule.missed,
        graceMs,
      });
      if (due === null) continue;
      const run = await this.deps.runs.claimScheduled({ kind, trigger: 'schedule', params: {}, scheduledFor: new Date(due), now }).catch((e: unknown) => {
        // A training queued elsewhere between the check above and the claim: same as running.
        if (isUniqueViolation(e)) return undefined;
        throw e;
      });
      if (!run) continue; // another replica claimed this tick
      claimed.push(run);
      this.launch(kind, run, 1);
    }
    await this.deps.sourceHealth.evaluateIfDue();
    await alerting.repeatDue();
    await alerting.deliver();
    return claimed;
  }

  private launch(kind: JobKind, run: Run, firstAttempt: number): void {
    this.running.set(
      kind,
      this.execute(kind, run, firstAttempt).finally(() => this.running.delete(kind)),
    );
  }

  /**
   * A scheduled tick whose process stopped beating (a replica killed mid-job) failed an attempt:
   * it is retried here if attempts remain, else the job failed for good and alerts as such.
   */
  private async takeOver(abandoned: Run): Promise<void> {
    const kind = abandoned.kind as JobKind;
    if (abandoned.scheduledFor === null || !this.crons.has(kind)) return;
    const { attempts } = this.deps.schedule;
    const error = abandoned.error ?? 'abandoned';
    if (abandoned.attempts < attempts && !this.running.has(kind) && !this.deps.jobs.busy(kind)) {
      const requeued = await this.requeue(abandoned, error);
      if (requeued) {
        this.deps.log.warn({ job: kind, run: abandoned.id, attempts: abandoned.attempts }, `scheduled ${kind} abandoned by its process: retrying it here`);
        this.launch(kind, requeued, abandoned.attempts + 1);
        return;
      }
    }
    this.deps.log.error({ job: kind, run: abandoned.id, attempts: abandoned.attempts }, `scheduled ${kind} failed after ${abandoned.attempts} attempt(s): ${error}`);
    await this.deps.alerting.job(kind, { ok: false, runId: abandoned.id, error, attempts: abandoned.attempts });
  }

  /** Queues the run again for its next attempt; null when another job of its kind started meanwhile. */
  private requeue(run: Run, error: string): Promise<Run | null> {
    return this.deps.runs.requeue(run, error).catch((e: unknown) => {
      if (isUniqueViolation(e)) return null; // a training started elsewhere in the meantime
      throw e;
    });
  }

  /** Attempts `firstAttempt`, `firstAttempt + 1`, ... up to `schedule.attempts`, the run watched throughout. */
  private async execute(kind: JobKind, run: Run, firstAttempt: number): Promise<void> {
    const { attempts } = this.deps.schedule;
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
    // Watched for the whole tick, the waits between attempts included (see RunHeartbeat).
    const stopWatching = this.deps.runs.watch(run.id);
    try {
      for (let attempt = firstAttempt; ; attempt++) {
        try {
          await this.deps.jobs.attempt(kind, run);
          await this.deps.alerting.job(kind, { ok: true, runId: run.id });
          return;
        } catch (error) {
          const message = (error as Error).message;
          // Cancelled by someone (or by the shutdown): not a failure to retry or alert about.
          if (error instanceof RunCancelledError) {
            this.deps.log.warn({ job: kind, run: run.id }, `scheduled ${kind}: ${message}`);
            return;
          }
          if (attempt >= attempts) {
            this.deps.log.error({ job: kind, run: run.id, attempts: attempt }, `scheduled ${kind} failed after ${attempt} attempt(s): ${message}`);
            await this.deps.alerting.job(kind, { ok: false, runId: run.id, error: message, attempts: attempt });
            return;
          }
          const wait = retryDelay(this.backoffMs, attempt);
          this.deps.log.warn({ job: kind, run: run.id, attempt, retryInMs: wait }, `scheduled ${kind} failed, retrying: ${message}`);
          // Queued again while it waits, so no other process starts a job of this kind meanwhile.
          if (!(await this.requeue(run, message))) {
            this.deps.log.warn({ job: kind, run: run.id }, `scheduled ${kind} not retried: another ${kind} started meanwhile`);
            return;
          }
          const waits = this.waits.signal;
          await abortable(sleep(wait), waits);
          // Left queued: a later start here, or another replica, takes it over as abandoned.
          if (waits.aborted) return;
        }
      }
    } finally {
      stopWatching();
    }
  }

  /**
   * Stops ticking and waits for the jobs that run, their retries included; with `abandonRetries`
   * (the process is closing) a job waiting to retry stops waiting instead.
   */
  async stop(options: { readonly abandonRetries?: boolean } = {}): Promise<void> {
    if (options.abandonRetries) this.waits.abort();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => undefined);
    await Promise.all(this.running.values());
    this.waits = new AbortController();
  }
}

/** Settles when `promise` does, or as soon as `signal` aborts. */
function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = () => resolve();
    signal.addEventListener('abort', done, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', done));
  });
}
