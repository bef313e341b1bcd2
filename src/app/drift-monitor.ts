import type { Config } from '../config/schema.js';
import type { DriftOptions, DriftReport, ReferenceProfile } from '../core/drift/feature-profile.js';
import { DEFAULT_DRIFT_OPTIONS } from '../core/drift/feature-profile.js';
import { parseDuration } from '../core/duration.js';
import type { Matrix } from '../core/matrix.js';
import type { Store } from '../store/database.js';
import type { StoredDriftReport } from '../store/drift-report-repository.js';
import type { Clock } from './clock.js';
import { NotTrainedError } from './errors.js';
import type { ModelRegistry } from './model-registry.js';
import type { PredictionLog } from './prediction-log.js';
import { describeWindow, resolveWindow } from './monitoring-window.js';
import type { ServingModel } from './serving-model.js';

/**
 * Which inputs a drift report compared. `newest`: the newest `rows` predictions of the window, at
 * most `maxRows` (`monitor.driftMaxRows`), rather than a random sample of it: they are read along
 * the created_at index, so the cost does not grow with the window, and they are what drift is
 * about. When the window holds more (`windowRows` > `rows`), the report covers its newest part,
 * from `from` to `to`.
 */
export interface DriftSample {
  readonly kind: 'newest';
  readonly maxRows: number;
  readonly rows: number;
  /** Predictions in the drift window. */
  readonly windowRows: number;
  /** Prediction times of the oldest and newest input compared (null when there is none). */
  readonly from: string | null;
  readonly to: string | null;
}

export interface DriftResult {
  /** When the computation started: the sample holds what was logged before. */
  readonly computedAt: string;
  /** The check run that computed it; null when a drift read did. */
  readonly runId: number | null;
  readonly window: string;
  readonly modelVersion: number;
  /** Inputs compared: the sample's rows. */
  readonly nRecent: number;
  readonly minRows: number;
  readonly sample: DriftSample | null;
  readonly report: DriftReport | null;
  /** Why there is no report, when there is none. */
  readonly reason: string | null;
}

/** The statistics, on a worker thread (MonitoringPool) or, in a test, anywhere. */
export type DriftComparer = (reference: ReferenceProfile, recent: Matrix, options: DriftOptions) => Promise<DriftReport>;

export interface DriftMonitorDeps {
  readonly config: Config;
  readonly store: Store;
  readonly predictionLog: PredictionLog;
  readonly registry: ModelRegistry;
  readonly clock: Clock;
  readonly compare: DriftComparer;
}

/** A result as stored: the columns say when, for which version and by which run. */
type StoredResult = Omit<DriftResult, 'computedAt' | 'runId' | 'modelVersion'>;

/**
 * Drift of the recent inputs against the active model's training profile, computed on a bounded
 * sample off the event loop and stored. The check job computes a report on every run; a drift read
 * returns the newest stored one and computes a new one only when that is older than
 * `monitor.driftMinInterval`: however often anyone asks, at most one computation per interval,
 * and requests that arrive during it share it.
 */
export class DriftMonitor {
  /** The last computation this process started, finished or not (a failed one counts too). */
  private last: { readonly version: number; readonly startedAt: number; readonly result: Promise<DriftResult> } | null = null;
  private readonly minIntervalMs: number;

  constructor(private readonly deps: DriftMonitorDeps) {
    this.minIntervalMs = parseDuration(deps.config.monitor.driftMinInterval);
  }

  /**
   * The newest stored report of `version` (default: the serving one), never computing one (what a
   * scrape or a model card reads); null when there is none.
   */
  async stored(version = this.deps.registry.serving?.version): Promise<DriftResult | null> {
    if (version === undefined) return null;
    const stored = await this.deps.store.driftReports.latest(version);
    return stored ? fromStored(stored) : null;
  }

  /** The newest report for the active version, recomputed if older than `monitor.driftMinInterval`. */
  async latest(): Promise<DriftResult> {
    const serving = this.serving();
    const now = this.deps.clock.now().getTime();
    const stored = await this.deps.store.driftReports.latest(serving.version);
    if (stored && now - Date.parse(stored.computedAt) < this.minIntervalMs) return fromStored(stored);
    const last = this.last;
    if (last && last.version === serving.version && now - last.startedAt < this.minIntervalMs) return last.result;
    return this.compute(null);
  }

  /** Computes a report now and stores it (the check job, with its run). */
  compute(runId: number | null): Promise<DriftResult> {
    const serving = this.serving();
    const at = this.deps.clock.now();
    const result = this.computeFor(serving, at, runId);
    this.last = { version: serving.version, startedAt: at.getTime(), result };
    return result;
  }

  private serving(): ServingModel {
    const serving = this.deps.registry.serving;
    if (!serving) throw new NotTrainedError('no model is active yet: nothing to compare inputs with');
    return serving;
  }

  private async computeFor(serving: ServingModel, at: Date, runId: number | null): Promise<DriftResult> {
    const stored = await this.resultFor(serving, at);
    await this.deps.store.driftReports.add({ computedAt: at, modelVersion: serving.version, runId, result: stored });
    return { computedAt: at.toISOString(), runId, modelVersion: serving.version, ...stored };
  }

  private async resultFor(serving: ServingModel, at: Date): Promise<StoredResult> {
    const { store, predictionLog, config, compare } = this.deps;
    const { driftWindow, driftMinRows, driftMaxRows, driftShare } = config.monitor;
    const base = { window: describeWindow(driftWindow, 'predictions'), minRows: driftMinRows };
    const reference = serving.reference;
    if (!reference) return { ...base, nRecent: 0, sample: null, report: null, reason: `model v${serving.version} has no training profile (trained before drift monitoring covered its features: train a new version to monitor them)` };
    await predictionLog.flush();
    const read = await store.predictionReads.inputSample({ window: resolveWindow(driftWindow, at), maxRows: driftMaxRows, width: reference.features.length });
    const sample: DriftSample = { kind: 'newest', maxRows: driftMaxRows, rows: read.rows, windowRows: read.windowRows, from: read.from, to: read.to };
    if (read.rows < driftMinRows) return { ...base, nRecent: read.rows, sample, report: null, reason: `${read.rows} recent inputs, ${driftMinRows} needed` };
    const report = await compare(reference, { rows: read.rows, cols: read.cols, data: read.data }, { ...DEFAULT_DRIFT_OPTIONS, driftShare });
    return { ...base, nRecent: read.rows, sample, report, reason: null };
  }
}

function fromStored(stored: StoredDriftReport): DriftResult {
  return { computedAt: stored.computedAt, runId: stored.runId, modelVersion: stored.modelVersion, ...(stored.result as StoredResult) };
}
