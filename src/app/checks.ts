import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { take, takeRows } from '../core/matrix.js';
import { evaluatePipeline, monitoredValue, splitDataset } from '../core/training.js';
import type { Store } from '../store/database.js';
import type { Check } from '../store/check-repository.js';
import type { Run } from '../store/run-repository.js';
import type { Alerting } from './alerting.js';
import type { Clock } from './clock.js';
import type { Monitoring } from './monitoring.js';
import type { RunHeartbeat } from './run-heartbeat.js';
import type { ServingModel } from './serving-model.js';
import type { DataUpdates } from './data-updates.js';
import { NotTrainedError } from './errors.js';
import type { ModelRegistry } from './model-registry.js';

/**
 * The tutorial's daily check, done right: evaluate the *active* model's monitored metric on the
 * test split of the latest data snapshot (a new snapshot means new test rows), record it, and let
 * the recall rule fire or resolve.
 */
export class Checks {
  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly data: DataUpdates,
    private readonly registry: ModelRegistry,
    private readonly alerting: Alerting,
    private readonly monitoring: Monitoring,
    private readonly heartbeat: RunHeartbeat,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Live recall of the active version over `monitor.window`, and its alert rule. */
  private async checkLive(serving: ServingModel) {
    const report = await this.monitoring.live(serving);
    const mine = report.versions.find((v) => v.modelVersion === serving.version);
    const value = mine ? monitoredValue(mine.metrics, this.config.monitor.metric) : Number.NaN;
    const confirmedPositives = mine?.confirmedPositives ?? 0;
    await this.alerting.liveRecall({ value, modelVersion: serving.version, confirmedPositives, minCases: report.minCases, window: report.window });
    return { window: report.window, confirmed: mine?.confirmed ?? 0, confirmedPositives, value: Number.isNaN(value) ? null : value, judged: confirmedPositives >= report.minCases };
  }

  /** Drift of the recent inputs against the active version's training data, and its alert rule. */
  private async checkDrift(serving: ServingModel) {
    const result = await this.monitoring.drift(serving);
    const report = result.report;
    if (!report) return { window: result.window, nRecent: result.nRecent, judged: false, reason: result.reason };
    const drifted = report.features.filter((f) => f.drifted).sort((a, b) => a.pAdjusted - b.pAdjusted);
    await this.alerting.drift({
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
    return { window: result.window, nRecent: report.nRecent, judged: true, driftedCount: report.driftedCount, driftedShare: report.driftedShare, datasetDrift: report.datasetDrift };
  }

  async execute(run: Run): Promise<Check> {
    const stopBeating = this.heartbeat.watch(run.id);
    await this.store.runs.start(run.id, this.clock.now());
    try {
      const serving = await this.registry.sync();
      if (!serving) throw new NotTrainedError('no model is active yet: nothing to check');
      const snapshot = (await this.store.snapshots.latest()) ?? (await this.store.snapshots.get(serving.summary.snapshotId));
      if (!snapshot) throw new NotTrainedError(`snapshot ${serving.summary.snapshotId} of the active model is gone`);
      const dataset = await this.data.load(snapshot, serving.artifact.featureNames);
      const { test } = splitDataset(dataset, this.config.split);
      const e = evaluatePipeline(serving.artifact, takeRows(dataset.x, test), take(dataset.y, test), this.config.dataset.positive, this.config.monitor);
      const check = await this.store.checks.create({ modelVersion: serving.version, snapshotId: snapshot.id, metric: e.metric, value: e.value, threshold: e.threshold, passed: e.passed, source: 'check', now: this.clock.now() });
      await this.alerting.recall(serving.version, snapshot.id, e.value);
      const live = await this.checkLive(serving);
      const drift = await this.checkDrift(serving);
      const purged = await this.monitoring.purge();
      await this.store.runs.succeed(
        run.id,
        { checkId: check.id, modelVersion: serving.version, snapshotId: snapshot.id, metric: e.metric, value: e.value, threshold: e.threshold, passed: e.passed, live, drift, purgedPredictions: purged },
        this.clock.now(),
      );
      this.log.info({ run: run.id, version: serving.version, snapshot: snapshot.id, [e.metric]: e.value, passed: e.passed }, 'performance check');
      return check;
    } catch (error) {
      await this.store.runs.fail(run.id, (error as Error).message, this.clock.now());
      throw error;
    } finally {
      stopBeating();
    }
  }
}
