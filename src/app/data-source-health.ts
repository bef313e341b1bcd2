import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Notification, SourceFreshnessCheck } from '../core/alerts/alert.js';
import { cronZone } from '../core/cron-zone.js';
import { parseDuration } from '../core/duration.js';
import type { FreshnessExpectation } from '../core/source-freshness.js';
import { MISSED_UPDATES_BEFORE_STALE, retrySpan, sourceFreshness } from '../core/source-freshness.js';
import type { Store } from '../store/database.js';
import type { Alerting } from './alerting.js';
import type { Clock } from './clock.js';

/** The longest `evaluateIfDue` goes without reading the store. */
const recheckMs = 3_600_000;

export interface DataSourceHealthDeps {
  readonly config: Config;
  readonly store: Store;
  readonly alerting: Pick<Alerting, 'dataSourceStale'>;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Whether the data source has been read successfully recently enough, judged from the update runs
 * whatever started them, and the `data_source_stale` rule on it. A failed update by hand raises no
 * alert of its own (its caller saw the error, and the previous snapshot is kept); a source that
 * stays broken past what the configuration expects alerts the same whether the updates come from
 * the scheduler, the API, the CLI or an outside cron.
 */
export class DataSourceHealth {
  private readonly expectation: FreshnessExpectation | null;
  private readonly expected: string | null;

  constructor(private readonly deps: DataSourceHealthDeps) {
    const { monitor, schedule, dataset } = deps.config;
    if (monitor.sourceStaleAfter !== undefined) {
      this.expectation = { kind: 'duration', ms: parseDuration(monitor.sourceStaleAfter) };
      this.expected = `a successful update at least every ${monitor.sourceStaleAfter} (monitor.sourceStaleAfter)`;
    } else if (schedule.enabled && schedule.update !== null) {
      const cron = new Cron(schedule.update, { ...cronZone(schedule.timezone), paused: true });
      // Time for the tick that decides to run through all its attempts, so that a retry that
      // succeeds stops the alert before it fires.
      const graceMs = retrySpan(schedule.attempts, dataset.timeoutMs, parseDuration(schedule.backoff));
      this.expectation = { kind: 'schedule', nextAfter: (t) => cron.nextRun(new Date(t))?.getTime() ?? null, graceMs };
      this.expected = `a successful update before ${MISSED_UPDATES_BEFORE_STALE} scheduled updates in a row have failed (schedule.update ${schedule.update}, ${schedule.timezone})`;
    } else {
      this.expectation = null;
      this.expected = null;
    }
  }

  /** When `evaluateIfDue` next reads the store; undefined before the first check. */
  private nextCheckAt: number | undefined;

  /** How current the source is now. */
  async check(): Promise<SourceFreshnessCheck> {
    const { store, clock } = this.deps;
    const history = await store.runs.history('update');
    const [latest] = await store.runs.list({ kind: 'update', limit: 1 });
    const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
    const freshness = sourceFreshness({ lastSuccess: ms(history.lastSucceededAt), firstAttempt: ms(history.firstQueuedAt), now: clock.now().getTime(), expectation: this.expectation });
    return {
      stale: freshness.stale,
      lastSuccessAt: history.lastSucceededAt,
      firstAttemptAt: history.firstQueuedAt,
      staleAfter: freshness.staleAfter === null ? null : new Date(freshness.staleAfter).toISOString(),
      expected: this.expected,
      // A run waiting for its retry is queued with its last attempt's error.
      lastError: latest?.status === 'succeeded' ? null : (latest?.error ?? null),
    };
  }

  /** Checks the source and lets the `data_source_stale` alert fire or resolve. */
  async evaluate(): Promise<readonly Notification[]> {
    const check = await this.check();
    const now = this.deps.clock.now().getTime();
    // Due again when the source would turn stale, or within the hour whatever happens: updates made
    // by other processes (replicas, the CLI) are only seen by reading the store again.
    const staleAfter = check.staleAfter === null || check.stale ? Number.POSITIVE_INFINITY : Date.parse(check.staleAfter) + 1;
    this.nextCheckAt = Math.min(staleAfter, now + recheckMs);
    return this.deps.alerting.dataSourceStale(check);
  }

  /**
   * For the scheduler's every-second tick: evaluates only when the last check said the source may
   * have turned stale by now (or an hour ago), so that the alert fires on time even when nothing
   * tries to update (an outside cron that stopped, a schedule whose check job is off).
   */
  async evaluateIfDue(): Promise<void> {
    if (this.expectation === null) return;
    if (this.nextCheckAt !== undefined && this.deps.clock.now().getTime() < this.nextCheckAt) return;
    await this.evaluateQuietly();
  }

  /** `evaluate` for a job's aftermath: a failure is logged, never put in place of the job's own outcome. */
  async evaluateQuietly(): Promise<void> {
    await this.evaluate().catch((error: unknown) => this.deps.log.error({ err: error }, `data source freshness not evaluated: ${(error as Error).message}`));
  }
}
