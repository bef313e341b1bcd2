import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { take, takeRows } from '../core/matrix.js';
import { evaluatePipeline, splitDataset } from '../core/training.js';
import type { Store } from '../store/database.js';
import type { Check } from '../store/check-repository.js';
import type { Run } from '../store/run-repository.js';
import type { Alerting } from './alerting.js';
import type { Clock } from './clock.js';
import type { RunHeartbeat } from './run-heartbeat.js';
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
    private readonly heartbeat: RunHeartbeat,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async execute(run: Run): Promise<Check> {
    const stopBeating = this.heartbeat.watch(run.id);
    await this.store.runs.start(run.id, this.clock.now());
    try {
      const serving = await this.registry.sync();
      if (!serving) throw new NotTrainedError('no model is active yet: nothing to check');
      const snapshot = (await this.store.snapshots.latest()) ?? (await this.store.snapshots.get(serving.summary.snapshotId));
      if (!snapshot) throw new NotTrainedError(`snapshot ${serving.summary.snapshotId} of the active model is gone`);
      const dataset = await this.data.load(snapshot, serving.pipeline.featureNames);
      const { test } = splitDataset(dataset, this.config.split);
      const e = evaluatePipeline(serving.pipeline, takeRows(dataset.x, test), take(dataset.y, test), this.config.dataset.positive, this.config.monitor);
      const check = await this.store.checks.create({ modelVersion: serving.version, snapshotId: snapshot.id, metric: e.metric, value: e.value, threshold: e.threshold, passed: e.passed, source: 'check', now: this.clock.now() });
      await this.alerting.recall(serving.version, snapshot.id, e.value);
      await this.store.runs.succeed(run.id, { checkId: check.id, modelVersion: serving.version, snapshotId: snapshot.id, metric: e.metric, value: e.value, threshold: e.threshold, passed: e.passed }, this.clock.now());
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
