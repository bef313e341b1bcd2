import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { take, takeRows } from '../core/matrix.js';
import { evaluatePipeline, splitDataset } from '../core/training.js';
import type { Store } from '../store/database.js';
import type { Dataset } from '../core/dataset.js';
import type { Check } from '../store/check-repository.js';
import type { Snapshot } from '../store/snapshot-repository.js';
import type { Alerting } from './alerting.js';
import type { Clock } from './clock.js';
import type { Monitoring } from './monitoring.js';
import type { Rollouts } from './rollouts.js';
import type { RunOutcome } from './runs.js';
import type { ServingModel } from './serving-model.js';
import type { DataUpdates } from './data-updates.js';
import { InvalidDataError, NotTrainedError } from './errors.js';
import type { ModelRegistry } from './model-registry.js';

/**
 * The tutorial's daily check, done right: evaluate the *active* model's monitored metric on the
 * test split of the latest data snapshot (a new snapshot means new test rows), record it, and let
 * the recall rule fire or resolve.
 */
export interface ChecksDeps {
  readonly config: Config;
  readonly store: Store;
  readonly data: DataUpdates;
  readonly registry: ModelRegistry;
  readonly alerting: Alerting;
  readonly monitoring: Monitoring;
  readonly rollouts: Rollouts;
  readonly clock: Clock;
  readonly log: Logger;
}

export class Checks {
  constructor(private readonly deps: ChecksDeps) {}

  /** Recorded evaluations (trainings and checks), the latest `limit`, oldest first. */
  history(limit: number, modelVersion?: number): Promise<Check[]> {
    return this.deps.store.checks.list({ limit, modelVersion });
  }

  /** Live recall of the active version over `monitor.window`, and its alert rule. */
  private async checkLive(serving: ServingModel) {
    const { monitoring, alerting } = this.deps;
    const report = await monitoring.live();
    const mine = report.versions.find((v) => v.modelVersion === serving.version);
    const confirmedPositives = mine?.confirmedPositives ?? 0;
    await alerting.liveRecall({ value: mine?.value ?? Number.NaN, modelVersion: serving.version, confirmedPositives, minCases: report.minCases, window: report.window });
    return { window: report.window, confirmed: mine?.confirmed ?? 0, confirmedPositives, value: mine?.value ?? null, judged: mine?.judged ?? false, passed: mine?.passed ?? false };
  }

  /** Drift of the recent inputs against the active version's training data (stored with the run), and its alert rule. */
  private async checkDrift(serving: ServingModel, runId: number) {
    const result = await this.deps.monitoring.computeDrift(runId);
    const report = result.report;
    const computed = { computedAt: result.computedAt, sample: result.sample };
    if (!report) return { window: result.window, nRecent: result.nRecent, judged: false, reason: result.reason, ...computed };
    const drifted = report.features.filter((f) => f.drifted).sort((a, b) => a.pAdjusted - b.pAdjusted);
    await this.deps.alerting.drift({
      driftedShare: report.driftedShare,
      driftShare: report.options.driftShare,
      driftedFeatures: drifted.map((f) => f.feature),
      nFeatures: report.nFeatures,
      nRecent: report.nRecent,
      window: result.window,
      modelVersion: serving.version,
      topFeatures: drifted.slice(0, 5).map((f) => ({ feature: f.feature, pAdjusted: f.pAdjusted, psi: f.psi })),
      alpha: report.options.alpha,
      psiMajor: report.options.psiMajor,
    });
    return { window: result.window, nRecent: report.nRecent, judged: true, driftedCount: report.driftedCount, driftedShare: report.driftedShare, datasetDrift: report.datasetDrift, ...computed };
  }

  /**
   * The latest snapshot, read with the active model's features; when its columns no longer fit the
   * model (a new feature schema, which a training turns into a new model), the model's own snapshot.
   */
  private async checkedData(serving: ServingModel): Promise<{ snapshot: Snapshot; dataset: Dataset }> {
    const { store, data, log } = this.deps;
    const own = async () => {
      const snapshot = await store.snapshots.get(serving.summary.snapshotId);
      if (!snapshot) throw new NotTrainedError(`snapshot ${serving.summary.snapshotId} of the active model is gone`);
      return { snapshot, dataset: await data.load(snapshot, serving.artifact.featureNames) };
    };
    const latest = await store.snapshots.latest();
    if (!latest || latest.id === serving.summary.snapshotId) return own();
    try {
      return { snapshot: latest, dataset: await data.load(latest, serving.artifact.featureNames) };
    } catch (error) {
      if (!(error instanceof InvalidDataError)) throw error;
      log.warn({ snapshot: latest.id, version: serving.version }, `the latest snapshot does not fit model v${serving.version} (${error.message}): checking on its own snapshot ${serving.summary.snapshotId}`);
      return own();
    }
  }

  /**
   * The check job's work, as one attempt of its run: the monitored metric on the latest snapshot,
   * live recall, drift, then the prediction log's retention (its own step in the run's result).
   */
  async run(runId: number): Promise<RunOutcome<Check>> {
    const { config, store, registry, alerting, monitoring, clock, log } = this.deps;
    const serving = await registry.sync();
    if (!serving) throw new NotTrainedError('no model is active yet: nothing to check');
    const { snapshot, dataset } = await this.checkedData(serving);
    const { test } = splitDataset(dataset, config.split);
    const e = evaluatePipeline(serving.artifact, takeRows(dataset.x, test), take(dataset.y, test), config.dataset.positive, config.monitor);
    const check = await store.checks.create({ modelVersion: serving.version, snapshotId: snapshot.id, metric: e.metric, value: e.value, threshold: e.threshold, passed: e.passed, source: 'check', now: clock.now() });
    await alerting.recall(serving.version, snapshot.id, e.value);
    const live = await this.checkLive(serving);
    // At the latest here, a rollout whose cases are all confirmed (or whose time is up) is decided.
    const ended = await this.deps.rollouts.decide();
    const rollout = ended && { id: ended.id, outcome: ended.outcome, reason: ended.reason };
    const drift = await this.checkDrift(serving, runId);
    const retention = await monitoring.applyRetention();
    log.info({ run: runId, version: serving.version, snapshot: snapshot.id, [e.metric]: e.value, passed: e.passed, purgedPredictions: retention.deleted }, 'performance check');
    return {
      value: check,
      result: { checkId: check.id, modelVersion: serving.version, snapshotId: snapshot.id, metric: e.metric, value: e.value, threshold: e.threshold, passed: e.passed, live, rollout, drift, retention },
    };
  }
}
