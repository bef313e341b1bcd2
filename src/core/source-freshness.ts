/**
 * Whether the data source has gone without a successful update for longer than expected, whatever
 * triggers the updates (the scheduler, the API, the CLI, an outside cron calling them). Pure: the
 * cron arithmetic comes in as `nextAfter` (croner in the service), time as epoch milliseconds.
 */
import { retryDelay } from './schedule-policy.js';

export class SourceFreshnessError extends Error {
  override readonly name = 'SourceFreshnessError';
}

/**
 * Scheduled updates that may pass without a success before the source counts as stale. The first
 * failed tick is the `job_failed` alert's business, and may be a passing outage; after the second
 * the data are two periods old, which no schedule intends.
 */
export const MISSED_UPDATES_BEFORE_STALE = 2;

/** What the configuration expects of the source. */
export type FreshnessExpectation =
  /** `monitor.sourceStaleAfter`: at least one success within this long. */
  | { readonly kind: 'duration'; readonly ms: number }
  /**
   * `schedule.update`: a success by the second scheduled update after the last one, once that
   * tick has had `graceMs` to run with its retries.
   */
  | { readonly kind: 'schedule'; readonly nextAfter: (time: number) => number | null; readonly graceMs: number };

export interface FreshnessQuery {
  /** The end of the last update that succeeded (a new snapshot or an unchanged source), or null. */
  readonly lastSuccess: number | null;
  /** When the first update was asked for, which counts when none has succeeded yet; null if none was. */
  readonly firstAttempt: number | null;
  readonly now: number;
  /** Null when nothing is expected: no `monitor.sourceStaleAfter` and no update schedule. */
  readonly expectation: FreshnessExpectation | null;
}

export interface Freshness {
  /** What staleness counts from: the last success, else the first attempt; null when neither exists. */
  readonly since: number | null;
  /** From when (exclusive) the source is stale; null when it cannot become stale. */
  readonly staleAfter: number | null;
  readonly stale: boolean;
}

export function sourceFreshness(q: FreshnessQuery): Freshness {
  const since = q.lastSuccess ?? q.firstAttempt;
  const staleAfter = since === null || q.expectation === null ? null : deadline(since, q.expectation);
  return { since, staleAfter, stale: staleAfter !== null && q.now > staleAfter };
}

function deadline(since: number, expectation: FreshnessExpectation): number | null {
  if (expectation.kind === 'duration') {
    if (!(Number.isFinite(expectation.ms) && expectation.ms > 0)) throw new SourceFreshnessError(`the stale-after duration must be a positive number of milliseconds, got ${String(expectation.ms)}`);
    return since + expectation.ms;
  }
  if (!(Number.isFinite(expectation.graceMs) && expectation.graceMs >= 0)) throw new SourceFreshnessError(`the grace must be a number of milliseconds, 0 or more, got ${String(expectation.graceMs)}`);
  let tick: number | null = since;
  for (let missed = 0; missed < MISSED_UPDATES_BEFORE_STALE && tick !== null; missed++) tick = expectation.nextAfter(tick);
  // A schedule that ends before then expects nothing more.
  return tick === null ? null : tick + expectation.graceMs;
}

/**
 * The longest a scheduled job takes from its tick to its last attempt's end: every attempt up to
 * its time limit, and the backoff (doubling from `backoffMs`) between them.
 */
export function retrySpan(attempts: number, attemptMs: number, backoffMs: number): number {
  let span = attempts * attemptMs;
  for (let failed = 1; failed < attempts; failed++) span += retryDelay(backoffMs, failed);
  return span;
}
