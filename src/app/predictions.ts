import type { Config } from '../config/schema.js';
import type { Matrix } from '../core/matrix.js';
import type { InputRow } from '../core/prediction-input.js';
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
  /** Signed distance to the boundary; > 0 means the model's second class (M for this data). */
  readonly decision: number;
}

export interface PredictOutcome {
  readonly modelVersion: number;
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
}

/** The outcome and the validated input it was computed from (what the prediction log keeps). */
export interface Prediction {
  readonly outcome: PredictOutcome;
  readonly x: Matrix;
}

/** Predicts every row with the model that serves at the moment of the call. */
export function predictRows(serving: ServingModel | null, rows: readonly InputRow[], options: PredictOptions): Prediction {
  if (!serving) throw new NotTrainedError('no model is active yet: train one first (POST /api/v1/train)');
  let x: Matrix;
  try {
    x = packRows(rows, serving.artifact.featureNames, options.maxRows);
  } catch (e) {
    if (e instanceof PredictionInputError) throw new InvalidInputError(e.message, e.problems, { cause: e });
    throw e;
  }
  const { predictor } = serving;
  const decision = predictor.decide(x.data, x.rows);
  const predictions = new Array<PredictedRow>(decision.length);
  const now = options.nowMs;
  for (let i = 0; i < decision.length; i++) {
    const d = decision[i];
    const label = predictor.label(d);
    predictions[i] = { predictionId: predictionId(now), label, className: options.classNames[label] ?? label, decision: d };
  }
  return { outcome: { modelVersion: serving.version, predictions }, x };
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

  predict(rows: readonly InputRow[], context: PredictContext = { route: 'api' }): PredictOutcome {
    const { config, registry, predictionLog, clock } = this.deps;
    const started = performance.now();
    const createdAt = clock.now();
    const { outcome, x } = predictRows(registry.require(), rows, { maxRows: config.server.maxBatchRows, classNames: config.dataset.classNames, nowMs: createdAt.getTime() });
    if (predictionLog.enabled) {
      const latencyMs = (performance.now() - started) / x.rows;
      predictionLog.record(
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
}
