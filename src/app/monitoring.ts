import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { LivePerformance } from '../core/live-performance.js';
import { livePerformance } from '../core/live-performance.js';
import type { MonitoredMetric } from '../core/monitored-metric.js';
import { liveJudged, metricName, monitoredValue, passesThreshold } from '../core/monitored-metric.js';
import type { Store } from '../store/database.js';
import type { Clock } from './clock.js';
import type { DriftMonitor, DriftResult } from './drift-monitor.js';
import type { FeedbackCorrection, FeedbackItem, FeedbackOutcome } from './feedback.js';
import type { ModelRegistry } from './model-registry.js';
import { recordFeedback } from './feedback.js';
import { rankConfirmedCases, unpackCases } from '../core/metrics/live-curves.js';
import type { CaseRanker, VersionCurves } from './live-curves.js';
import { LiveCurvesMonitor } from './live-curves.js';
import { describeWindow, resolveWindow } from './monitoring-window.js';
import type { PredictionLog } from './prediction-log.js';
import type { Rollouts } from './rollouts.js';

/** One version's live performance with the verdict the live recall alert gives it. */
export interface LiveVersion extends LivePerformance {
  /** The monitored metric (`monitor.metric`) on this version's confirmed cases. */
  readonly value: number;
  /** Enough confirmed positive cases (`monitor.minCases`) for `passed` to mean anything. */
  readonly judged: boolean;
  readonly passed: boolean;
}

export interface LiveReport {
  /** In words: 'last 30d' or 'last 200 confirmed cases'. */
  readonly window: string;
  readonly since: string | null;
  readonly confirmed: number;
  /** Predictions in the window whose diagnosis has not been confirmed yet. */
  readonly pending: number;
  readonly minCases: number;
  readonly metric: MonitoredMetric;
  /** The metric in words (`recall of M`). */
  readonly label: string;
  readonly threshold: number;
  readonly positive: string;
  readonly versions: readonly LiveVersion[];
}

/** The live report with each version's live ROC and precision–recall curves (see LiveCurvesMonitor). */
export interface LiveReportWithCurves extends LiveReport {
  readonly versions: readonly (LiveVersion & VersionCurves)[];
}

/** What the check job's retention step did: prediction log rows older than `before` deleted. */
export interface RetentionOutcome {
  readonly retentionDays: number;
  readonly before: string;
  readonly deleted: number;
}

export interface MonitoringDeps {
  readonly config: Config;
  readonly store: Store;
  readonly predictionLog: PredictionLog;
  readonly registry: ModelRegistry;
  readonly clock: Clock;
  readonly drift: DriftMonitor;
  readonly rollouts: Rollouts;
  readonly log: Logger;
  /** Ranks a version's confirmed cases for its live curves: a worker thread (MonitoringPool); in-line without one. */
  readonly rankCases?: CaseRanker;
}

/**
 * Production monitoring: how the models do on cases whose diagnosis pathology confirmed, drift of
 * the recent inputs, and the prediction log's retention.
 */
export class Monitoring {
  /**
   * The live report being computed, shared by the requests that arrive meanwhile: its counts take
   * the store time that grows with the window. Not shared past a feedback request handled since it began.
   */
  private liveInFlight: { readonly feedbackSeen: number; readonly report: Promise<LiveReport> } | null = null;
  private feedbackRequests = 0;
  private readonly curves: LiveCurvesMonitor;

  constructor(private readonly deps: MonitoringDeps) {
    this.curves = new LiveCurvesMonitor({ ...deps, rank: deps.rankCases ?? (async (cases, ...rest) => rankConfirmedCases(unpackCases(cases), ...rest)) });
  }

  /**
   * Confirmed diagnoses from pathology, for predictions or cases; a bad batch changes nothing.
   * With a `correction` (an admin's), diagnoses confirmed before as another label are replaced.
   */
  async feedback(items: readonly FeedbackItem[], correction?: FeedbackCorrection): Promise<FeedbackOutcome[]> {
    const { store, predictionLog, clock, registry, config } = this.deps;
    const classes = registry.serving?.artifact.svc.classes ?? Object.keys(config.dataset.classNames);
    let outcomes: FeedbackOutcome[];
    try {
      outcomes = await recordFeedback(items, { store, log: predictionLog, clock, classes }, correction);
    } finally {
      this.feedbackRequests++;
    }
    // A rollout is decided as soon as its cases are there. The feedback is recorded whatever
    // happens to the decision, which the check job takes at the latest.
    if (outcomes.some((o) => o.status === 'recorded' || o.status === 'corrected')) {
      await this.deps.rollouts.decide().catch((error: unknown) => this.deps.log.error({ err: error }, 'rollout decision failed; the check job will try again'));
    }
    return outcomes;
  }

  /** Live performance per model version over `monitor.window`. */
  live(): Promise<LiveReport> {
    const shared = this.liveInFlight;
    if (shared && shared.feedbackSeen === this.feedbackRequests) return shared.report;
    const report = this.computeLive().finally(() => {
      if (this.liveInFlight?.report === report) this.liveInFlight = null;
    });
    this.liveInFlight = { feedbackSeen: this.feedbackRequests, report };
    return report;
  }

  /** The live report with each version's live curves, at most `monitor.liveCurvesMinInterval` old. */
  async liveWithCurves(): Promise<LiveReportWithCurves> {
    const [report, curvesOf] = await Promise.all([this.live(), this.curves.latest()]);
    return { ...report, versions: report.versions.map((v) => ({ ...v, ...curvesOf(v.modelVersion) })) };
  }

  private async computeLive(): Promise<LiveReport> {
    const { store, predictionLog, config, clock, registry } = this.deps;
    await predictionLog.flush();
    const { window: spec, minCases, metric, threshold } = config.monitor;
    const { positive } = config.dataset;
    const window = resolveWindow(spec, clock.now());
    const counts = await store.predictionReads.liveCounts(window);
    const since = 'since' in window ? new Date(window.since).toISOString() : null;
    const classes = registry.serving?.artifact.svc.classes ?? [...new Set(counts.confirmed.flatMap((c) => [c.label, c.actual]))].sort();
    const versions = livePerformance(counts.confirmed, classes, positive);
    return {
      window: describeWindow(spec, 'confirmed cases'),
      since,
      confirmed: versions.reduce((sum, v) => sum + v.confirmed, 0),
      pending: counts.pending,
      minCases,
      metric,
      label: metricName(metric, positive),
      threshold,
      positive,
      versions: versions.map((v) => {
        const value = monitoredValue(v.metrics, metric);
        return { ...v, value, judged: liveJudged(v.confirmedPositives, minCases), passed: passesThreshold(value, threshold) };
      }),
    };
  }

  /**
   * Drift of the recent inputs against the active model's training profile: the newest stored
   * report, recomputed when older than `monitor.driftMinInterval` (see DriftMonitor).
   */
  drift(): Promise<DriftResult> {
    return this.deps.drift.latest();
  }

  /** The newest stored drift report of `version` (default: the active one), without computing one; null when there is none. */
  storedDrift(version?: number): Promise<DriftResult | null> {
    return this.deps.drift.stored(version);
  }

  /** Computes and stores a drift report now, for the check run `runId`. */
  computeDrift(runId: number): Promise<DriftResult> {
    return this.deps.drift.compute(runId);
  }

  /** Deletes prediction log rows older than `monitor.retentionDays`. */
  async applyRetention(): Promise<RetentionOutcome> {
    const { store, predictionLog, config, clock } = this.deps;
    await predictionLog.flush();
    const { retentionDays } = config.monitor;
    const before = new Date(clock.now().getTime() - retentionDays * 86_400_000);
    const deleted = await store.predictions.purgeBefore(before);
    await this.deps.rollouts.answers.flush();
    await store.rollouts.purgeAnswersBefore(before);
    return { retentionDays, before: before.toISOString(), deleted };
  }
}
