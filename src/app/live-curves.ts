import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import type { DecisionCurves } from '../core/metrics/decision-curves.js';
import type { PackedCases, RankedCases } from '../core/metrics/live-curves.js';
import { LIVE_CURVE_MAX_POINTS } from '../core/metrics/live-curves.js';
import type { Store } from '../store/database.js';
import type { Clock } from './clock.js';
import { modelArtifactOf } from './held-out-rows.js';
import type { ModelRegistry } from './model-registry.js';
import { resolveWindow } from './monitoring-window.js';
import type { PredictionLog } from './prediction-log.js';

/**
 * Which confirmed cases a version's live curves rank: its `rows` most recently confirmed, at most
 * `maxRows` (`monitor.liveCurvesMaxRows`), of the `windowRows` it had in `monitor.window` when the
 * curves were computed. `sampled`: the window held more than were ranked.
 */
export interface CurvesCases {
  readonly computedAt: string;
  readonly maxRows: number;
  readonly rows: number;
  readonly windowRows: number;
  readonly sampled: boolean;
  /** Confirmation times of the earliest and the latest case ranked; null when none was. */
  readonly from: string | null;
  readonly to: string | null;
  /** Why `curves` is null, when it is. */
  readonly reason: string | null;
  /** Most points a curve keeps (LIVE_CURVE_MAX_POINTS); `thinned`: some curve had more, and keeps that many of them. */
  readonly maxCurvePoints: number;
  readonly thinned: boolean;
}

export interface VersionCurves {
  readonly curves: DecisionCurves | null;
  readonly curvesCases: CurvesCases;
}

interface Computed {
  readonly computedAt: string;
  readonly versions: ReadonlyMap<number, VersionCurves>;
}

/** rankConfirmedCases, where it runs: on a worker thread in the service (MonitoringPool). */
export type CaseRanker = (cases: PackedCases, classes: readonly string[], positive: string, threshold: number) => Promise<RankedCases>;

export interface LiveCurvesDeps {
  readonly rank: CaseRanker;
  readonly config: Config;
  readonly store: Store;
  readonly predictionLog: PredictionLog;
  readonly registry: ModelRegistry;
  readonly clock: Clock;
}

/** What ranks a version's cases: its classes and its decision threshold (a version never changes). */
interface Ranking {
  readonly classes: readonly string[];
  readonly threshold: number;
}

/**
 * The live ROC and precision–recall curves of each model version over its confirmed cases.
 *
 * Unlike the live counts (a few numbers the database tallies), the curves rank every case: a read
 * of up to `monitor.liveCurvesMaxRows` rows per version (on SQLite's read worker, so the event loop
 * keeps serving) and a sort of their scores. So they are computed the way monitoring tools compute
 * ranking metrics over production traffic, and the way the drift report is: at most once per
 * `monitor.liveCurvesMinInterval` however often anyone asks, the requests meanwhile sharing one
 * computation, each result saying when it was computed (`curvesCases.computedAt`). A scrape, a
 * dashboard poll and a report thus cost one bounded read per interval, not one per request; the
 * price is that a diagnosis confirmed a moment ago reaches the curves within the interval, not at once.
 * Each process keeps its own result in memory: it is a view of the log, rebuilt from it at will.
 */
export class LiveCurvesMonitor {
  private last: { readonly startedAt: number; readonly result: Promise<Computed> } | null = null;
  private readonly rankings = new Map<number, Ranking>();
  private readonly minIntervalMs: number;

  constructor(private readonly deps: LiveCurvesDeps) {
    this.minIntervalMs = parseDuration(deps.config.monitor.liveCurvesMinInterval);
  }

  /** The newest curves, recomputed when older than `monitor.liveCurvesMinInterval`; `version` picks one version's. */
  async latest(): Promise<(version: number) => VersionCurves> {
    const now = this.deps.clock.now().getTime();
    const last = this.last;
    const current = last && now - last.startedAt < this.minIntervalMs ? last : this.start(now);
    const { computedAt, versions } = await current.result;
    const maxRows = this.deps.config.monitor.liveCurvesMaxRows;
    return (version) =>
      versions.get(version) ?? {
        curves: null,
        curvesCases: {
          computedAt,
          maxRows,
          rows: 0,
          windowRows: 0,
          sampled: false,
          from: null,
          to: null,
          reason: `no confirmed case of model v${version} in the window when the curves were computed`,
          maxCurvePoints: LIVE_CURVE_MAX_POINTS,
          thinned: false,
        },
      };
  }

  private start(now: number): { readonly startedAt: number; readonly result: Promise<Computed> } {
    const result = this.compute(new Date(now));
    const started = { startedAt: now, result };
    this.last = started;
    // A failed computation is not kept for the interval: the next request tries again.
    result.catch(() => {
      if (this.last === started) this.last = null;
    });
    return started;
  }

  private async compute(at: Date): Promise<Computed> {
    const { store, predictionLog, config } = this.deps;
    await predictionLog.flush();
    const { window, liveCurvesMaxRows: maxRows } = config.monitor;
    const read = await store.predictionReads.confirmedCases({ window: resolveWindow(window, at), maxRows });
    const computedAt = at.toISOString();
    const versions = new Map<number, VersionCurves>();
    for (const cases of read) {
      const { classes, threshold } = await this.ranking(cases.modelVersion);
      const ranked = await this.deps.rank(cases, classes, config.dataset.positive, threshold);
      const { rows } = cases;
      const reason = typeof ranked === 'string' ? (ranked === 'no probabilities' ? `model v${cases.modelVersion} has ${classes.length} classes and answered without probabilities: nothing ranks its cases against each class` : ranked) : null;
      const { curves, thinned } = typeof ranked === 'string' ? { curves: null, thinned: false } : ranked;
      versions.set(cases.modelVersion, {
        curves,
        curvesCases: { computedAt, maxRows, rows, windowRows: cases.windowRows, sampled: cases.windowRows > rows, from: cases.from, to: cases.to, reason, maxCurvePoints: LIVE_CURVE_MAX_POINTS, thinned },
      });
    }
    return { computedAt, versions };
  }

  private async ranking(version: number): Promise<Ranking> {
    const known = this.rankings.get(version);
    if (known) return known;
    const serving = this.deps.registry.serving;
    const artifact = serving?.version === version ? serving.artifact : modelArtifactOf(await this.deps.registry.get(version));
    const ranking = { classes: artifact.svc.classes, threshold: artifact.decisionThreshold?.threshold ?? 0 };
    this.rankings.set(version, ranking);
    return ranking;
  }
}
