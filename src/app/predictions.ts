import type { Config } from '../config/schema.js';
import type { Matrix } from '../core/matrix.js';
import type { InputRow, PackedRows } from '../core/prediction-input.js';
import { packRows, PredictionInputError } from '../core/prediction-input.js';
import { InvalidInputError, NotTrainedError } from './errors.js';
import type { Clock } from './clock.js';
import type { ModelRegistry } from './model-registry.js';
import type { PredictionLog } from './prediction-log.js';
import { predictionId } from './prediction-id.js';
import type { ServingModel } from './serving-model.js';

export interface PredictedRow {
  /** Quote it to send the confirmed diagnosis later. */
  readonly predictionId: string;
  readonly label: string;
  readonly className: string;
  /** Two classes: the signed distance to the boundary; > 0 means the model's second class (M for this data). */
  readonly decision?: number;
  /** More than two classes: scikit-learn's decision value (`ovr`) of each class, by label. */
  readonly decisions?: Readonly<Record<string, number>>;
  /** Features whose missing value the model imputed, as at training. */
  readonly imputed?: readonly string[];
  /** Categorical features whose value the model did not see in training (encoded as all zeros). */
  readonly unknownCategories?: readonly string[];
}

export interface PredictOutcome {
  readonly modelVersion: number;
  /** The model's classes: the order of every per-class output. */
  readonly classes: readonly string[];
  readonly predictions: readonly PredictedRow[];
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
  const withNotes = (row: PredictedRow, i: number): PredictedRow => {
    const note = notes[i];
    if (note === null) return row;
    return { ...row, ...(note.imputed.length > 0 ? { imputed: note.imputed } : {}), ...(note.unknownCategories.length > 0 ? { unknownCategories: note.unknownCategories } : {}) };
  };
  if (predictor.classes.length === 2) {
    // The benchmarked path: one decision value per row, no per-class objects.
    const decision = predictor.decide(x.data, x.rows);
    for (let i = 0; i < decision.length; i++) {
      const d = decision[i];
      const label = predictor.label(d);
      predictions[i] = withNotes({ predictionId: predictionId(now), label, className: nameOf(label), decision: d }, i);
    }
    return { outcome: { modelVersion: serving.version, classes: predictor.classes, predictions }, x, loggedDecision: decision };
  }
  const { labels, decision } = predictor.classify(x.data, x.rows);
  const classes = predictor.classes;
  const k = classes.length;
  const loggedDecision = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    const label = labels[i];
    const decisions: Record<string, number> = {};
    classes.forEach((c, j) => (decisions[c] = decision[i * k + j]));
    loggedDecision[i] = decisions[label];
    predictions[i] = withNotes({ predictionId: predictionId(now), label, className: nameOf(label), decisions }, i);
  }
  return { outcome: { modelVersion: serving.version, classes, predictions }, x, loggedDecision };
}

export interface PredictionsDeps {
  readonly config: Config;
  readonly registry: ModelRegistry;
  readonly predictionLog: PredictionLog;
  readonly clock: Clock;
}

/** The prediction service: every row predicted by the model that serves, and logged (buffered) for monitoring. */
export class Predictions {
  constructor(private readonly deps: PredictionsDeps) {}

  /** Predictions answered whose log row could not be written, since the process started. */
  get droppedLogRows(): number {
    return this.deps.predictionLog.droppedRows;
  }

  predict(rows: readonly InputRow[], context: PredictContext = { route: 'api' }): PredictOutcome {
    const { config, registry, predictionLog, clock } = this.deps;
    const started = performance.now();
    const createdAt = clock.now();
    const { outcome, x, loggedDecision } = predictRows(registry.require(), rows, { maxRows: config.server.maxBatchRows, classNames: config.dataset.classNames, nowMs: createdAt.getTime() });
    if (predictionLog.enabled && context.log !== false) {
      const latencyMs = (performance.now() - started) / x.rows;
      predictionLog.record(
        outcome.predictions.map((p, i) => ({
          id: p.predictionId,
          createdAt,
          modelVersion: outcome.modelVersion,
          route: context.route,
          input: x.data.subarray(i * x.cols, (i + 1) * x.cols),
          label: p.label,
          decision: loggedDecision[i],
          latencyMs,
          externalId: context.externalIds?.[i] ?? null,
        })),
      );
    }
    return outcome;
  }
}
