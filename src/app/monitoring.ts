import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import type { DriftReport } from '../core/drift/feature-profile.js';
import { compareToReference, DEFAULT_DRIFT_OPTIONS } from '../core/drift/feature-profile.js';
import type { LivePerformance } from '../core/live-performance.js';
import { matrixFromRows } from '../core/matrix.js';
import { livePerformance } from '../core/live-performance.js';
import type { Store } from '../store/database.js';
import type { Window } from '../store/prediction-repository.js';
import type { Clock } from './clock.js';
import { NotTrainedError } from './errors.js';
import type { FeedbackItem, FeedbackOutcome } from './feedback.js';
import { recordFeedback } from './feedback.js';
import type { PredictionLog } from './prediction-log.js';
import type { ServingModel } from './serving-model.js';

export interface DriftResult {
  readonly window: string;
  readonly modelVersion: number;
  readonly nRecent: number;
  readonly minRows: number;
  readonly report: DriftReport | null;
  /** Why there is no report, when there is none. */
  readonly reason: string | null;
}

export interface LiveReport {
  /** In words: 'last 30d' or 'last 200 confirmed cases'. */
  readonly window: string;
  readonly since: string | null;
  readonly confirmed: number;
  /** Predictions in the window whose diagnosis has not been confirmed yet. */
  readonly pending: number;
  readonly minCases: number;
  readonly versions: readonly LivePerformance[];
}

/** A duration ('30d') means "since now minus it"; a number means "the last N". */
export function resolveWindow(spec: string | number, now: Date): Window {
  return typeof spec === 'number' ? { last: spec } : { since: new Date(now.getTime() - parseDuration(spec)) };
}

export function describeWindow(spec: string | number, what: string): string {
  return typeof spec === 'number' ? `last ${spec} ${what}` : `last ${spec}`;
}

/**
 * Production monitoring: how the models do on cases whose diagnosis pathology confirmed, and the
 * prediction log's retention.
 */
export class Monitoring {
  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly log: PredictionLog,
    private readonly clock: Clock,
  ) {}

  feedback(items: readonly FeedbackItem[], classes: readonly string[]): Promise<FeedbackOutcome[]> {
    return recordFeedback(items, { store: this.store, log: this.log, clock: this.clock, classes });
  }

  async live(serving: ServingModel | null): Promise<LiveReport> {
    await this.log.flush();
    const { window: spec, minCases } = this.config.monitor;
    const window = resolveWindow(spec, this.clock.now());
    const cases = await this.store.predictions.confirmed(window);
    const since = 'since' in window ? new Date(window.since).toISOString() : null;
    const classes = serving?.artifact.svc.classes ?? [...new Set(cases.flatMap((c) => [c.label, c.actual]))].sort();
    return {
      window: describeWindow(spec, 'confirmed cases'),
      since,
      confirmed: cases.length,
      pending: await this.store.predictions.pendingCount(since),
      minCases,
      versions: cases.length > 0 ? livePerformance(cases, classes, this.config.dataset.positive) : [],
    };
  }

  /**
   * Recent inputs (`monitor.driftWindow`) against the active model's training profile, feature by
   * feature; null while there are fewer than `monitor.driftMinRows` recent inputs.
   */
  async drift(serving: ServingModel | null): Promise<DriftResult> {
    const { driftWindow, driftMinRows, driftShare } = this.config.monitor;
    const window = describeWindow(driftWindow, 'predictions');
    if (!serving) throw new NotTrainedError('no model is active yet: nothing to compare inputs with');
    if (!serving.reference) return { window, modelVersion: serving.version, nRecent: 0, minRows: driftMinRows, report: null, reason: `model v${serving.version} has no training profile (trained before drift monitoring)` };
    await this.log.flush();
    const rows = await this.store.predictions.recentInputs(resolveWindow(driftWindow, this.clock.now()));
    if (rows.length < driftMinRows) return { window, modelVersion: serving.version, nRecent: rows.length, minRows: driftMinRows, report: null, reason: `${rows.length} recent inputs, ${driftMinRows} needed` };
    const report = compareToReference(serving.reference, matrixFromRows(rows, serving.reference.features.length), { ...DEFAULT_DRIFT_OPTIONS, driftShare });
    return { window, modelVersion: serving.version, nRecent: rows.length, minRows: driftMinRows, report, reason: null };
  }

  /** Deletes prediction log rows older than `monitor.retentionDays`. */
  async purge(): Promise<number> {
    await this.log.flush();
    const before = new Date(this.clock.now().getTime() - this.config.monitor.retentionDays * 86_400_000);
    return this.store.predictions.purgeBefore(before);
  }
}
