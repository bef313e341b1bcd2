import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Matrix } from '../core/matrix.js';
import type { InputRow, PackedRows } from '../core/prediction-input.js';
import { packRows, PredictionInputError } from '../core/prediction-input.js';
import type { OutOfRangeValue } from '../core/training-range.js';
import { outOfRangeValues } from '../core/training-range.js';
import { svcProbabilities } from '../core/svc/svc-probability.js';
import { InvalidInputError, NotTrainedError } from './errors.js';
import type { Clock } from './clock.js';
import type { ModelRegistry } from './model-registry.js';
import type { LoggedAnswer, PredictionLog } from './prediction-log.js';
import { predictionId } from './prediction-id.js';
import type { LiveRollout, Rollouts } from './rollouts.js';
import type { ServingModel } from './serving-model.js';
import { routesToChallenger, stableUnit } from '../core/rollout-rule.js';

export interface PredictedRow {
  /** Quote it to send the confirmed diagnosis later. */
  readonly predictionId: string;
  readonly label: string;
  readonly className: string;
  /** Two classes: the signed distance to the boundary; > 0 means the model's second class (M for this data). */
  readonly decision?: number;
  /** More than two classes: scikit-learn's decision value (`ovr`) of each class, by label. */
  readonly decisions?: Readonly<Record<string, number>>;
  /**
   * scikit-learn's `predict_proba` of each class, by label: present when the model was trained with
   * `training.probability` (older versions have none).
   */
  readonly probabilities?: Readonly<Record<string, number>>;
  /** Features whose missing value the model imputed, as at training. */
  readonly imputed?: readonly string[];
  /** Categorical features whose value the model did not see in training (encoded as all zeros). */
  readonly unknownCategories?: readonly string[];
  /**
   * Numeric values beyond their feature's training range by more than OUT_OF_RANGE_MARGIN of its
   * width: the model extrapolates, and its answer deserves a warning. Absent when there are none.
   */
  readonly outOfRange?: readonly OutOfRangeValue[];
}

export interface PredictOutcome {
  readonly modelVersion: number;
  /** The model's classes: the order of every per-class output. */
  readonly classes: readonly string[];
  readonly predictions: readonly PredictedRow[];
  /** The operating point the labels were decided at (`monitor.targetRecall`); absent: libsvm's boundary, decision 0. */
  readonly decisionThreshold?: { readonly positive: string; readonly threshold: number };
}

/**
 * The operating point a two-class answer's labels were decided at: the version's chosen threshold
 * on the positive class's score, else libsvm's boundary, decision 0 (a value above it is
 * `classes[1]`); null for more classes, whose labels no single threshold decides.
 */
export function thresholdUsed(outcome: Pick<PredictOutcome, 'classes' | 'decisionThreshold'>): { readonly positive: string; readonly threshold: number } | null {
  if (outcome.classes.length !== 2) return null;
  return outcome.decisionThreshold ?? { positive: outcome.classes[1], threshold: 0 };
}

export interface PredictOptions {
  readonly maxRows: number;
  readonly classNames: Readonly<Record<string, string>>;
  /** The request's instant: it times the prediction ids as it times their log rows. */
  readonly nowMs: number;
}

/** Where a prediction comes from: which protocol asked, and the caller's case number of each row. */
export interface PredictContext {
  readonly route: string;
  readonly externalIds?: readonly (string | undefined)[];
  /**
   * Whether the rows go to the prediction log (default true). A trial from the command line is not
   * a production case: logged, it would wait for a diagnosis and count as drift input.
   */
  readonly log?: boolean;
}

/** The outcome and the validated input it was computed from (what the prediction log keeps). */
export interface Prediction {
  readonly outcome: PredictOutcome;
  readonly x: Matrix;
  /** The one decision value the prediction log keeps per row: a binary model's, else the predicted class's. */
  readonly loggedDecision: Float64Array;
  /** Rows × classes probabilities, in `outcome.classes` order; null when the model has none. */
  readonly probabilities: Float64Array | null;
}

/** Each row's class probabilities by label (`probabilities` is rows × k, in `classes` order). */
function probabilitiesByLabel(classes: readonly string[], probabilities: Float64Array | null, row: number): { probabilities?: Record<string, number> } {
  if (probabilities === null) return {};
  const k = classes.length;
  const byLabel: Record<string, number> = {};
  for (let j = 0; j < k; j++) byLabel[classes[j]] = probabilities[row * k + j];
  return { probabilities: byLabel };
}

/** Predicts every row with the model that serves at the moment of the call. */
export function predictRows(serving: ServingModel | null, rows: readonly InputRow[], options: PredictOptions): Prediction {
  if (!serving) throw new NotTrainedError('no model is active yet: train one first (POST /api/v1/train)');
  let packed: PackedRows;
  try {
    packed = packRows(rows, serving.artifact.preprocessor, options.maxRows);
  } catch (e) {
    if (e instanceof PredictionInputError) throw new InvalidInputError(e.message, e.problems, { cause: e });
    throw e;
  }
  const { x, notes } = packed;
  const { predictor } = serving;
  const predictions = new Array<PredictedRow>(x.rows);
  const now = options.nowMs;
  const nameOf = (label: string) => options.classNames[label] ?? label;
  const names = serving.artifact.featureNames;
  const withNotes = (row: PredictedRow, i: number): PredictedRow => {
    const note = notes[i];
    const outOfRange = outOfRangeValues(x.data, i, x.cols, serving.ranges, names);
    if (note === null && outOfRange.length === 0) return row;
    return {
      ...row,
      ...(note !== null && note.imputed.length > 0 ? { imputed: note.imputed } : {}),
      ...(note !== null && note.unknownCategories.length > 0 ? { unknownCategories: note.unknownCategories } : {}),
      ...(outOfRange.length > 0 ? { outOfRange } : {}),
    };
  };
  if (predictor.classes.length === 2) {
    // The benchmarked path: one decision value per row, no per-class objects.
    const decision = predictor.decide(x.data, x.rows);
    // Platt scaling couples libsvm's own sign: the negated decision value.
    const probabilities = svcProbabilities(serving.artifact.svc, decision.map((d) => -d));
    for (let i = 0; i < decision.length; i++) {
      const d = decision[i];
      const label = predictor.label(d);
      predictions[i] = withNotes({ predictionId: predictionId(now), label, className: nameOf(label), decision: d, ...probabilitiesByLabel(predictor.classes, probabilities, i) }, i);
    }
    const chosen = serving.artifact.decisionThreshold;
    const decisionThreshold = chosen ? { decisionThreshold: { positive: chosen.positive, threshold: chosen.threshold } } : {};
    return { outcome: { modelVersion: serving.version, classes: predictor.classes, predictions, ...decisionThreshold }, x, loggedDecision: decision, probabilities };
  }
  const { labels, decision, probabilities } = predictor.classify(x.data, x.rows);
  const classes = predictor.classes;
  const k = classes.length;
  const loggedDecision = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    const label = labels[i];
    const decisions: Record<string, number> = {};
    classes.forEach((c, j) => (decisions[c] = decision[i * k + j]));
    loggedDecision[i] = decisions[label];
    predictions[i] = withNotes({ predictionId: predictionId(now), label, className: nameOf(label), decisions, ...probabilitiesByLabel(classes, probabilities, i) }, i);
  }
  return { outcome: { modelVersion: serving.version, classes, predictions }, x, loggedDecision, probabilities };
}

export interface PredictionsDeps {
  readonly config: Config;
  readonly registry: ModelRegistry;
  readonly predictionLog: PredictionLog;
  readonly rollouts: Rollouts;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The prediction service: every row predicted by the model that serves, and logged (buffered) for monitoring. */
export class Predictions {
  constructor(private readonly deps: PredictionsDeps) {}

  /** Predictions answered whose log row could not be written, since the process started. */
  get droppedLogRows(): number {
    return this.deps.predictionLog.droppedRows;
  }

  predict(rows: readonly InputRow[], context: PredictContext = { route: 'api' }): PredictOutcome {
    const { config, registry, rollouts, clock } = this.deps;
    const started = performance.now();
    const createdAt = clock.now();
    const champion = registry.require();
    const rollout = rollouts.current;
    // No rollout (or one whose champion no longer serves here): the one-model path, unchanged.
    if (rollout === null || rollout.championVersion !== champion.version) {
      const prediction = predictRows(champion, rows, { maxRows: config.server.maxBatchRows, classNames: config.dataset.classNames, nowMs: createdAt.getTime() });
      this.record(prediction, createdAt, started, context);
      return prediction.outcome;
    }
    const toChallenger = rollout.strategy === 'canary' && routesToChallenger(canaryUnit(context), rollout.canaryPercent);
    const [answering, other] = toChallenger ? [rollout.challenger, champion] : [champion, rollout.challenger];
    const prediction = predictRows(answering, rows, { maxRows: config.server.maxBatchRows, classNames: config.dataset.classNames, nowMs: createdAt.getTime() });
    this.record(prediction, createdAt, started, context);
    // The other model's answers, for the comparison on confirmed cases: after the response is sent.
    if (context.log !== false) setImmediate(() => this.answerAside(rollout, other, rows, prediction.outcome, createdAt));
    return prediction.outcome;
  }

  private record({ outcome, x, loggedDecision, probabilities }: Prediction, createdAt: Date, started: number, context: PredictContext): void {
    const { predictionLog } = this.deps;
    // `mloop predict` without --log: answers only, kept out of the production log.
    if (!predictionLog.enabled || context.log === false) return;
    const answer: LoggedAnswer = {
      createdAtMs: createdAt.getTime(),
      modelVersion: outcome.modelVersion,
      route: context.route,
      latencyMs: (performance.now() - started) / x.rows,
      inputs: x.data,
      cols: x.cols,
      predictions: outcome.predictions,
      decisions: loggedDecision,
      externalIds: context.externalIds,
      classes: outcome.classes,
      probabilities,
    };
    // Row by row into the log's buffer: no object per row on the request's path.
    for (let i = 0; i < x.rows; i++) predictionLog.append(answer, i);
  }

  /** The rollout's other model predicts the same rows; its answers are kept under the same prediction ids. */
  private answerAside(rollout: LiveRollout, model: ServingModel, rows: readonly InputRow[], answered: PredictOutcome, createdAt: Date): void {
    const { config, rollouts, log } = this.deps;
    let aside: Prediction;
    try {
      aside = predictRows(model, rows, { maxRows: Number.MAX_SAFE_INTEGER, classNames: config.dataset.classNames, nowMs: createdAt.getTime() });
    } catch (error) {
      // The rows suit the model that answered but not this one (its features differ): these cases
      // stay out of the comparison.
      log.warn({ err: error, rollout: rollout.id, version: model.version }, `rollout ${rollout.id}: v${model.version} cannot predict these rows`);
      return;
    }
    rollouts.record(
      aside.outcome.predictions.map((p, i) => ({
        predictionId: answered.predictions[i].predictionId,
        rolloutId: rollout.id,
        modelVersion: model.version,
        label: p.label,
        decision: aside.loggedDecision[i],
        createdAt,
      })),
    );
  }
}

/**
 * Where a canary request falls in [0, 1): by a stable hash of its (first row's) case number, so
 * that a case always meets the same model on every replica; otherwise at random.
 */
function canaryUnit(context: PredictContext): number {
  const externalId = context.externalIds?.[0];
  return externalId === undefined ? Math.random() : stableUnit(externalId);
}
