/**
 * Which tick of a cron schedule is due now, given the last tick that ran. Pure: the cron
 * arithmetic comes in as `nextAfter` (croner in the service) and time as epoch milliseconds.
 */

/** The jobs of the tutorial's crontab, which the scheduler runs and a run records as its kind. */
export const jobKinds = ['update', 'train', 'check'] as const;
export type JobKind = (typeof jobKinds)[number];

/** What to do with ticks missed while the service was down. */
export const missedPolicies = ['skip', 'run-once'] as const;
export type MissedPolicy = (typeof missedPolicies)[number];

export interface DueQuery {
  /** The scheduled time of the last tick claimed for this job, or null if none ever ran. */
  readonly lastScheduled: number | null;
  /** When this scheduler started: with no previous tick, earlier ticks are not owed. */
  readonly startedAt: number;
  readonly now: number;
  /** The first scheduled time strictly after the given one, or null if the schedule ends. */
  readonly nextAfter: (time: number) => number | null;
  readonly missed: MissedPolicy;
  /** A tick observed later than this after its time was missed (the service was down). */
  readonly graceMs: number;
}

/** Guards against a schedule so dense and a gap so long that walking it would never end. */
const maxWalk = 100_000;

/**
 * The scheduled time to run now, or null. Ticks that passed while nothing was running are
 * "missed": `skip` drops them (the next on-time tick runs as usual); `run-once` runs the latest of
 * them once, whatever their number.
 */
export function dueTick(q: DueQuery): number | null {
  let tick = q.nextAfter(q.lastScheduled ?? q.startedAt);
  if (tick === null || tick > q.now) return null;
  for (let steps = 0; steps < maxWalk; steps++) {
    const next = q.nextAfter(tick);
    if (next === null || next > q.now) break;
    tick = next;
  }
  const onTime = q.now - tick <= q.graceMs;
  if (onTime || q.missed === 'run-once') return tick;
  return null;
}

/** Exponential backoff: `base`, then twice as long at each further retry. */
export function retryDelay(baseMs: number, failedAttempts: number): number {
  return baseMs * 2 ** Math.max(0, failedAttempts - 1);
}
