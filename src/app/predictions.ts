import { predictionId } from './prediction-id.js';
import type { Matrix } from '../core/matrix.js';
import type { InputRow } from '../core/prediction-input.js';
import { packRows, PredictionInputError } from '../core/prediction-input.js';
import { InvalidInputError, NotTrainedError } from './errors.js';
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
  const now = Date.now();
  for (let i = 0; i < decision.length; i++) {
    const d = decision[i];
    const label = predictor.label(d);
    predictions[i] = { predictionId: predictionId(now), label, className: options.classNames[label] ?? label, decision: d };
  }
  return { outcome: { modelVersion: serving.version, predictions }, x };
}
