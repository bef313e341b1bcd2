import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { InputRow } from '../core/prediction-input.js';
import type { TrainingPool } from '../adapters/training-pool.js';
import type { Store } from '../store/database.js';
import type { Check } from '../store/check-repository.js';
import type { Model, ModelSummary } from '../store/model-repository.js';
import type { Run, RunKind } from '../store/run-repository.js';
import type { Snapshot } from '../store/snapshot-repository.js';
import type { AlertState } from '../core/alerts/alert.js';
import type { Alerting } from './alerting.js';
import type { Checks } from './checks.js';
import type { Clock } from './clock.js';
import type { FeedbackItem, FeedbackOutcome } from './feedback.js';
import type { DriftResult, LiveReport, Monitoring } from './monitoring.js';
import type { PredictionLog } from './prediction-log.js';
import type { RunHeartbeat } from './run-heartbeat.js';
import type { Scheduler } from './scheduler.js';
import type { DataUpdates, UpdateOutcome } from './data-updates.js';
import { NotFoundError, NotTrainedError } from './errors.js';
import type { ModelRegistry } from './model-registry.js';
import type { PredictOutcome } from './predictions.js';
import { predictRows } from './predictions.js';
import type { ServingModel } from './serving-model.js';
import type { StartedTraining, TrainRequest, TrainResult, Trainings } from './trainings.js';

export interface PredictContext {
  readonly route: string;
  readonly externalIds?: readonly (string | undefined)[];
}

export interface ApplicationParts {
  readonly config: Config;
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly data: DataUpdates;
  readonly trainings: Trainings;
  readonly pool: TrainingPool;
  readonly checks: Checks;
  readonly alerting: Alerting;
  readonly scheduler: Scheduler;
  readonly heartbeat: RunHeartbeat;
  readonly predictionLog: PredictionLog;
  readonly monitoring: Monitoring;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * What mloop can do, whoever asks: the HTTP routes, the CLI and the scheduler all call these
 * methods, built once by `openApplication` (the composition root).
 */
export class Application {
  readonly config: Config;
  readonly log: Logger;

  constructor(private readonly parts: ApplicationParts) {
    this.config = parts.config;
    this.log = parts.log;
  }

  get serving(): ServingModel | null {
    return this.parts.registry.serving;
  }

  /**
   * Predicts with the model that serves now and logs every row (buffered) for live monitoring.
   * `route` says which protocol asked; `externalIds` are the caller's case numbers, one per row.
   */
  predict(rows: readonly InputRow[], context: PredictContext = { route: 'api' }): PredictOutcome {
    const started = performance.now();
    const { outcome, x } = predictRows(this.serving, rows, { maxRows: this.config.server.maxBatchRows, classNames: this.config.dataset.classNames });
    const log = this.parts.predictionLog;
    if (log.enabled) {
      const latencyMs = (performance.now() - started) / x.rows;
      const createdAt = this.parts.clock.now();
      log.record(
        outcome.predictions.map((p, i) => ({
          id: p.predictionId,
          createdAt,
          modelVersion: outcome.modelVersion,
          route: context.route,
          input: x.data.subarray(i * x.cols, (i + 1) * x.cols),
          label: p.label,
          decision: p.decision,
          latencyMs,
          externalId: context.externalIds?.[i] ?? null,
        })),
      );
    }
    return outcome;
  }

  /** Re-reads the data source; a failure leaves the latest snapshot as it was. */
  async updateData(trigger: string): Promise<UpdateOutcome & { readonly runId: number }> {
    return this.executeUpdate(await this.createRun('update', trigger));
  }

  private createRun(kind: RunKind, trigger: string): Promise<Run> {
    return this.parts.store.runs.create({ kind, trigger, params: kind === 'update' ? { source: this.config.dataset.source ?? 'bundled' } : {}, now: this.parts.clock.now() });
  }

  private async executeUpdate(run: Run): Promise<UpdateOutcome & { readonly runId: number }> {
    const { store, clock, data } = this.parts;
    const stopBeating = this.parts.heartbeat.watch(run.id);
    await store.runs.start(run.id, clock.now());
    try {
      const outcome = await data.update(this.serving?.artifact.featureNames);
      await store.runs.succeed(run.id, { status: outcome.status, snapshotId: outcome.snapshot.id, rows: outcome.snapshot.rowCount }, clock.now());
      return { ...outcome, runId: run.id };
    } catch (error) {
      await store.runs.fail(run.id, (error as Error).message, clock.now());
      throw error;
    } finally {
      stopBeating();
    }
  }

  /** The tutorial's daily check: the active model's monitored metric on the latest snapshot. */
  async check(trigger: string): Promise<Check> {
    return this.parts.checks.execute(await this.createRun('check', trigger));
  }

  /** One attempt of a job on a run that exists already (the scheduler's claimed tick). */
  async runJob(kind: RunKind, run: Run): Promise<unknown> {
    if (kind === 'update') return this.executeUpdate(run);
    if (kind === 'check') return this.parts.checks.execute(run);
    return (await this.parts.trainings.start({}, run.trigger, run)).done;
  }

  /** Starts a job by hand (`POST /api/v1/jobs/{kind}/run`, `mloop run KIND`); `done` settles when it ends. */
  async startJob(kind: RunKind, trigger: string): Promise<{ readonly run: Run; readonly done: Promise<unknown> }> {
    if (kind === 'train') return this.startTraining({}, trigger);
    const run = await this.createRun(kind, trigger);
    const done = this.runJob(kind, run);
    done.catch(() => undefined);
    return { run, done };
  }

  /** Confirmed diagnoses from pathology, for predictions or cases; a bad batch changes nothing. */
  feedback(items: readonly FeedbackItem[]): Promise<FeedbackOutcome[]> {
    const classes = this.serving?.artifact.svc.classes ?? Object.keys(this.config.dataset.classNames);
    return this.parts.monitoring.feedback(items, classes);
  }

  /** Live performance per model version over `monitor.window`. */
  livePerformance(): Promise<LiveReport> {
    return this.parts.monitoring.live(this.serving);
  }

  /** Recent inputs against the active model's training data, feature by feature. */
  drift(): Promise<DriftResult> {
    return this.parts.monitoring.drift(this.serving);
  }

  alerts(query: { status?: 'firing' | 'resolved'; limit: number; offset?: number }): Promise<AlertState[]> {
    return this.parts.alerting.list(query);
  }

  get scheduler(): Scheduler {
    return this.parts.scheduler;
  }

  get alerting(): Alerting {
    return this.parts.alerting;
  }

  onTrained(listener: (result: TrainResult) => void): void {
    this.parts.trainings.onFinished(listener);
  }

  startTraining(request: TrainRequest, trigger: string): Promise<StartedTraining> {
    return this.parts.trainings.start(request, trigger);
  }

  /** Trains and waits for the result (the tutorial's synchronous /train_svm, the CLI). */
  async train(request: TrainRequest, trigger: string): Promise<TrainResult> {
    return (await this.startTraining(request, trigger)).done;
  }

  async run(id: number): Promise<Run> {
    const run = await this.parts.store.runs.get(id);
    if (!run) throw new NotFoundError(`no run ${id}`);
    return run;
  }

  runs(query: { kind?: RunKind; limit: number; offset: number }): Promise<Run[]> {
    return this.parts.store.runs.list(query);
  }

  models(limit: number, offset: number): Promise<ModelSummary[]> {
    return this.parts.registry.list(limit, offset);
  }

  model(version: number): Promise<Model> {
    return this.parts.registry.get(version);
  }

  promote(version: number): Promise<ModelSummary> {
    return this.parts.registry.promote(version);
  }

  rollback(): Promise<ModelSummary> {
    return this.parts.registry.rollback();
  }

  /** The active version's test-split evaluation. */
  performance(): ModelSummary {
    const serving = this.serving;
    if (!serving) throw new NotTrainedError();
    return serving.summary;
  }

  /** Recorded evaluations (trainings and checks), the latest `limit`, oldest first. */
  performanceHistory(limit: number, modelVersion?: number): Promise<Check[]> {
    return this.parts.store.checks.list({ limit, modelVersion });
  }

  snapshots(limit: number, offset: number): Promise<Snapshot[]> {
    return this.parts.store.snapshots.list({ limit, offset });
  }

  /** Picks up a version activated by another process (CLI, another replica). */
  syncActiveModel(): Promise<ServingModel | null> {
    return this.parts.registry.sync();
  }

  /**
   * First start: with no active model, take a data snapshot if there is none and train the
   * configured mode, so the first prediction works without any other step.
   */
  async bootstrap(): Promise<void> {
    if (await this.syncActiveModel()) return;
    if (!(await this.parts.store.snapshots.latest())) await this.updateData('startup');
    await this.train({}, 'startup');
  }

  async close(): Promise<void> {
    await this.parts.scheduler.stop();
    await this.parts.trainings.settled();
    await this.parts.alerting.close();
    await this.parts.predictionLog.flush();
    await this.parts.pool.close();
    await this.parts.store.close();
  }
}
