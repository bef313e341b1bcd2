import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { GridProgress } from '../core/grid-search.js';
import type { ModelArtifact, TrainingMode, TrainingParams } from '../core/model-artifact.js';
import type { Gamma } from '../core/svc/svc.js';
import type { Evaluation, SplitParams } from '../core/training.js';
import { evaluatePipeline, trainAndEvaluate } from '../core/training.js';
import { manualThreshold } from '../core/threshold-what-if.js';
import type { Dataset } from '../core/dataset.js';
import type { ReferenceProfile } from '../core/drift/feature-profile.js';
import { profileFeatures } from '../core/drift/feature-profile.js';
import { parseDuration } from '../core/duration.js';
import { takeRows } from '../core/matrix.js';
import { MinMaxScalerError } from '../core/min-max-scaler.js';
import { StratifiedKFoldError } from '../core/stratified-k-fold.js';
import { SvcFitError } from '../core/svc/svc.js';
import { TrainTestSplitError } from '../core/train-test-split.js';
import { gridSizeProblem, trainingLimits } from '../core/training-limits.js';
import type { TrainingPool } from '../adapters/training-pool.js';
import type { Store } from '../store/database.js';
import { ActiveModelChangedError, isUniqueViolation } from '../store/errors.js';
import type { ModelSummary } from '../store/model-repository.js';
import type { Run } from '../store/run-repository.js';
import type { Alerting } from './alerting.js';
import type { RunLimit, RunOutcome, Runs } from './runs.js';
import type { Clock } from './clock.js';
import type { DataUpdates } from './data-updates.js';
import { ConflictError, InvalidDataError, InvalidInputError, RunCancelledError } from './errors.js';
import type { ModelRegistry } from './model-registry.js';
import type { HeldOutRows } from './promotion-gate.js';
import { judgeCandidate } from './promotion-gate.js';
import { rebuildTestSplit, testSplitRecord } from './held-out-rows.js';
import type { AuditActor } from '../store/audit-repository.js';
import { OperatingPointError } from '../core/operating-point.js';
import type { Rollouts } from './rollouts.js';

const coreDataErrors = [StratifiedKFoldError, TrainTestSplitError, SvcFitError, MinMaxScalerError, OperatingPointError];

/** What a caller may ask of one training; the rest comes from `training.*` in the configuration. */
export interface TrainRequest {
  readonly mode?: TrainingMode;
  readonly C?: number;
  readonly gamma?: Gamma;
  readonly grid?: { readonly C: readonly number[]; readonly gamma: readonly Gamma[] };
  /** Grid-search folds. */
  readonly cv?: number;
}

export interface TrainResult {
  readonly runId: number;
  readonly model: ModelSummary;
  /** The new version now serves (it passed the promotion gate, or it is a first model allowed below the threshold). */
  readonly activated: boolean;
  readonly gateReason: string | null;
  /** Why a new data snapshot was taken before training (the configured source or reading options changed), or null. */
  readonly newSnapshot: string | null;
}

/** Who sets a version's decision threshold by hand, and why (the audit log keeps both). */
export interface ThresholdChange {
  readonly actor: AuditActor;
  readonly reason: string;
}

/** A new version ready to be judged: what made it, its evaluation and the held-out rows behind it. */
interface Candidate {
  readonly params: TrainingParams;
  readonly artifact: ModelArtifact;
  readonly evaluation: Evaluation;
  readonly rows: HeldOutRows;
  readonly reference: unknown;
  /** The split that chose `rows.testIndices`, kept with the version's metrics. */
  readonly testSplit: SplitParams;
  readonly trainingMs: number;
  readonly newSnapshot: string | null;
  /** The audit entry of a version made by hand from another (`fromVersion`). */
  readonly audit?: { readonly action: 'threshold_change'; readonly actor: AuditActor; readonly reason: string; readonly fromVersion: number };
}

export interface StartedTraining {
  readonly run: Run;
  readonly done: Promise<TrainResult>;
}

export function trainingParamsFor(config: Config, request: TrainRequest): TrainingParams {
  const t = config.training;
  return { mode: request.mode ?? t.mode, C: request.C ?? t.C, gamma: request.gamma ?? t.gamma, grid: request.grid ?? t.grid, cv: request.cv ?? t.cv, impute: t.impute, probability: t.probability };
}

export interface TrainingsDeps {
  readonly config: Config;
  readonly store: Store;
  readonly runs: Runs;
  readonly data: DataUpdates;
  readonly registry: ModelRegistry;
  readonly rollouts: Rollouts;
  readonly pool: TrainingPool;
  readonly alerting: Alerting;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Trainings, one at a time per process: load the latest snapshot, fit on worker threads, evaluate
 * on the test split, register the version and let the promotion gate decide whether it serves.
 */
export class Trainings {
  private running: StartedTraining | null = null;
  private readonly listeners: ((result: TrainResult) => void)[] = [];
  private claimed = false;

  /** `training.timeout`: a training running longer is stopped and fails as timed out. */
  private readonly timeout: RunLimit;

  constructor(private readonly deps: TrainingsDeps) {
    this.timeout = { ms: parseDuration(deps.config.training.timeout), text: deps.config.training.timeout };
  }

  get current(): Run | null {
    return this.running?.run ?? null;
  }

  /** Told of every successful training (metrics). */
  onFinished(listener: (result: TrainResult) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once no training runs (whatever its outcome): graceful shutdown waits for it. */
  async settled(): Promise<void> {
    await this.running?.done.catch(() => undefined);
  }

  /** Trains and waits for the result (the tutorial's synchronous /train_svm, the CLI). */
  async train(request: TrainRequest, trigger: string): Promise<TrainResult> {
    return (await this.start(request, trigger)).done;
  }

  /**
   * Queues a training and returns at once; `done` settles when it ends. A scheduled tick passes the
   * run it claimed (`existing`), so that the tick and its attempts are one run.
   */
  async start(request: TrainRequest, trigger: string, existing?: Run): Promise<StartedTraining> {
    const params = trainingParamsFor(this.deps.config, request);
    // The file's grid is checked when it is read; a request's grid meets the file's folds here.
    const tooLarge = gridSizeProblem(params.grid, params.cv);
    if (tooLarge !== null) throw new InvalidInputError(`grid: ${tooLarge}`, { field: 'grid', limit: trainingLimits.gridFits });
    return this.launch(trigger, params, (run, signal) => this.execute(run, params, signal), existing);
  }

  /**
   * The one lifecycle of a training's run (a threshold change's too): one at a time in this
   * process, queued (see `createRun`), executed under `training.timeout`, its failure logged.
   */
  private async launch(trigger: string, runParams: unknown, body: (run: Run, signal: AbortSignal) => Promise<RunOutcome<TrainResult>>, existing?: Run): Promise<StartedTraining> {
    if (this.running) throw new ConflictError(`a training is already running (run ${this.running.run.id})`, { runId: this.running.run.id });
    if (this.claimed) throw new ConflictError('a training is already starting');
    const { runs, log } = this.deps;
    // Claimed before the first await, so two requests cannot both pass the checks above.
    this.claimed = true;
    let run: Run;
    try {
      run = existing ?? (await this.createRun(trigger, runParams));
    } finally {
      this.claimed = false;
    }
    const done = runs
      .withRun(run, (signal) => body(run, signal), this.timeout)
      .catch((error: unknown) => {
        if (error instanceof RunCancelledError) log.warn({ run: run.id }, error.message);
        else log.error({ run: run.id, err: error }, `${trigger === 'threshold' ? 'threshold change' : 'training'} failed: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      })
      .finally(() => {
        this.running = null;
      });
    // Callers may only look at the run; the failure is recorded on it and logged above.
    done.catch(() => undefined);
    this.running = { run, done };
    return { run, done };
  }

  /**
   * Queues the training's run. The database allows one queued or running training: when another
   * process (replica, CLI) has it, a run whose process has died is failed as abandoned at once
   * (Runs.reap) and the training goes ahead; one that is alive is a ConflictError.
   */
  private async createRun(trigger: string, params: unknown): Promise<Run> {
    const { store, runs } = this.deps;
    for (let attempt = 1; ; attempt++) {
      try {
        return await runs.create('train', trigger, params);
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        if (attempt === 1 && (await runs.reap()).some((r) => r.kind === 'train')) continue;
        const other = await store.runs.running('train');
        throw new ConflictError(`a training is already running${other ? ` (run ${other.id})` : ''}`, other ? { runId: other.id } : undefined, { cause: e });
      }
    }
  }

  private async execute(run: Run, params: TrainingParams, signal: AbortSignal): Promise<RunOutcome<TrainResult>> {
    const { config, store, data, pool, log } = this.deps;
    const started = performance.now();
    const { snapshot, reason: newSnapshot } = await data.current();
    const dataset = await data.load(snapshot);
    signal.throwIfAborted();
    let lastWrite = 0;
    const onProgress = ({ done, total }: GridProgress) => {
      // One row update per fit at most every 100 ms: enough for a progress bar, light on the store.
      const t = performance.now();
      if (done !== total && t - lastWrite < 100) return;
      lastWrite = t;
      void store.runs.progress(run.id, done, total).catch((e: unknown) => log.warn({ err: e }, 'progress not recorded'));
    };
    const outcome = await trainAndEvaluate(
      dataset,
      { split: config.split, training: params, positive: config.dataset.positive, monitor: config.monitor },
      { ...pool.runners(signal), onProgress },
    ).catch((e: unknown) => {
      // The core refuses data it cannot split, cross-validate or fit: that is the data's problem.
      if (coreDataErrors.some((kind) => e instanceof kind)) {
        throw new InvalidDataError(`cannot train ${params.mode} on snapshot ${snapshot.id} (${dataset.y.length} rows): ${(e as Error).message}`, undefined, { cause: e });
      }
      throw e;
    });
    // The last moment to stop: from here on the training registers its model.
    signal.throwIfAborted();
    const { evaluation, artifact } = outcome;
    return this.register(run, {
      params,
      artifact,
      evaluation,
      rows: { dataset, testIndices: outcome.testIndices, snapshot },
      // The training split's profile: what the drift job compares production inputs with.
      reference: referenceProfile(dataset, outcome.trainIndices),
      testSplit: config.split,
      trainingMs: Math.round(performance.now() - started),
      newSnapshot,
    });
  }

  /**
   * A new version on the fit of `version` with the decision threshold an admin chose: its test
   * split (rebuilt, see held-out-rows.ts) evaluated at that threshold, then registered and judged
   * by the gate against the champion exactly as a training's candidate, as a run of its own
   * (kind `train`, trigger `threshold`: one at a time with trainings) and in the audit log.
   */
  async retune(version: number, threshold: number, change: ThresholdChange): Promise<TrainResult> {
    const { config, registry, data } = this.deps;
    const source = await registry.get(version);
    const split = await rebuildTestSplit(source, { config, data });
    const decisionThreshold = manualThreshold(config.dataset.positive, threshold, version);
    const params = source.params as TrainingParams;
    const previous = split.artifact.decisionThreshold?.threshold ?? 0;
    const runParams = { ...params, fromVersion: version, decisionThreshold: threshold, reason: change.reason };
    const started = await this.launch('threshold', runParams, async (run) => {
      const began = performance.now();
      const artifact: ModelArtifact = { ...split.artifact, decisionThreshold };
      const evaluation = evaluatePipeline(artifact, takeRows(split.dataset.x, split.testIndices), split.y, config.dataset.positive, config.monitor);
      return this.register(run, {
        params,
        artifact,
        evaluation,
        rows: split,
        reference: source.reference,
        testSplit: split.split,
        trainingMs: Math.round(performance.now() - began),
        newSnapshot: null,
        audit: { action: 'threshold_change', actor: change.actor, reason: `threshold ${previous} → ${threshold}: ${change.reason}`, fromVersion: version },
      });
    });
    return started.done;
  }

  /** Registers a candidate, lets the gate judge it against the champion on its held-out rows, and acts on the verdict. */
  private async register(run: Run, candidate: Candidate): Promise<RunOutcome<TrainResult>> {
    const { config, store, registry, rollouts, alerting, clock, log } = this.deps;
    const { params, artifact, evaluation, rows, trainingMs, newSnapshot } = candidate;
    const { snapshot } = rows;
    // The freshest champion: another replica may have promoted one since this process last looked.
    const champion = await registry.sync();
    // The champion is measured on the candidate's held-out rows: the same cases for both.
    const decision = await judgeCandidate(evaluation, champion, rows, config, store);
    const now = clock.now();
    const created = await store.models.create({
      mode: params.mode,
      params,
      pipeline: artifact,
      gridSearch: artifact.gridSearch,
      snapshotId: snapshot.id,
      // The curves live with the metrics they were computed beside (GET /api/v1/models/{v} shows them).
      metrics: { ...evaluation.metrics, curves: evaluation.curves, ...testSplitRecord(candidate.testSplit) },
      reportText: evaluation.reportText,
      monitoredMetric: evaluation.metric,
      monitoredValue: evaluation.value,
      threshold: evaluation.threshold,
      trainingMs,
      gateVerdict: decision.verdict,
      gateReason: decision.reason,
      runId: run.id,
      reference: candidate.reference,
      now,
    });
    if (candidate.audit) {
      const { fromVersion, ...audit } = candidate.audit;
      await store.audit.record({ ...audit, runId: run.id, fromVersion, toVersion: created.version, now });
    }
    let model: ModelSummary = created;
    let gateReason = decision.reason;
    let activated = false;
    if (decision.activation === 'rollout' && champion) {
      try {
        await rollouts.start(created.version, champion.version, decision.reason, run.id);
        const { pipeline: _pipeline, reference: _reference, ...challenger } = await registry.get(created.version);
        model = challenger;
      } catch (error) {
        if (!(error instanceof ActiveModelChangedError)) throw error;
        gateReason = `${decision.reason ?? decision.measured}; no rollout started: ${error.message} (promote it by hand if it should serve)`;
        await registry.sync();
      }
    } else if (decision.activation === 'first' || decision.activation === 'gate') {
      const audit = { action: 'gate_activation', actor: 'gate', reason: decision.reason ?? `first model: ${decision.measured}`, runId: run.id } as const;
      try {
        model = (await registry.activate(created.version, decision.activation, audit, champion?.version ?? null)).summary;
        activated = true;
        await alerting.recall(created.version, snapshot.id, evaluation.value);
      } catch (error) {
        // Another replica or an admin changed what serves while this version was judged: the gate
        // did not compare it with the model that serves now, so it does not replace it.
        if (!(error instanceof ActiveModelChangedError)) throw error;
        gateReason = `${decision.reason ?? decision.measured}; not put into service: ${error.message} (promote it by hand if it should serve)`;
        await registry.sync();
      }
    } else if (!champion) {
      // Nothing serves: predictions say why, naming this version.
      await registry.sync();
    }
    const rejection = decision.activation === null ? { modelVersion: created.version, reason: decision.measured, snapshotId: snapshot.id, activeVersion: champion?.version ?? null } : null;
    await alerting.trainingEnded(created.version, decision.verdict === 'passed', rejection);
    await store.checks.create({
      modelVersion: created.version,
      snapshotId: snapshot.id,
      metric: evaluation.metric,
      value: evaluation.value,
      threshold: evaluation.threshold,
      passed: evaluation.passed,
      source: 'training',
      now,
    });
    const value: TrainResult = { runId: run.id, model, activated, gateReason, newSnapshot };
    for (const listener of this.listeners) listener(value);
    log.info({ run: run.id, version: created.version, mode: params.mode, [evaluation.metric]: evaluation.value, gateVerdict: decision.verdict, activated, trainingMs }, gateReason ?? `model v${created.version} trained`);
    const result = {
      version: created.version,
      status: model.status,
      gateVerdict: model.gateVerdict,
      servingStatus: model.servingStatus,
      activated,
      gateReason,
      metric: evaluation.metric,
      value: evaluation.value,
      threshold: evaluation.threshold,
      trainingMs,
      snapshotId: snapshot.id,
      newSnapshot,
    };
    return { value, result };
  }
}

/**
 * The training split's profile, what the drift job compares production inputs with: every
 * feature, numeric or categorical, with its missing cells counted.
 */
function referenceProfile(dataset: Dataset, trainIndices: readonly number[]): ReferenceProfile {
  return profileFeatures(takeRows(dataset.x, trainIndices), dataset.features);
}
