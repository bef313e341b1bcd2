/**
 * scikit-learn 1.2.1's confusion matrix and precision / recall / F1 / support, with
 * zero_division=0 (the default "warn" gives the same numbers), reproduced float for float.
 */
import { pairwiseSum } from './numpy-sum.js';

export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface LabelScores extends ClassScores {
  readonly label: string;
}

export interface ClassificationMetrics {
  /** The labels in the order of `perClass` and of the confusion matrix rows and columns. */
  readonly labels: readonly string[];
  readonly perClass: readonly LabelScores[];
  /** Fraction of samples predicted correctly (scikit-learn's micro-averaged precision). */
  readonly accuracy: number;
  /**
   * Micro averages. Their F1 is what the report's "accuracy" line prints; it can differ
   * from `accuracy` in the last bit.
   */
  readonly microAvg: ClassScores;
  /**
   * Whether every label occurs in yTrue or yPred. If one does not, scikit-learn's report
   * prints a "micro avg" line instead of "accuracy".
   */
  readonly microIsAccuracy: boolean;
  readonly macroAvg: ClassScores;
  readonly weightedAvg: ClassScores;
  /** Rows are true labels, columns predicted labels, both in `labels` order. */
  readonly confusionMatrix: readonly (readonly number[])[];
  readonly positive: string;
  /** recall_score(y_true, y_pred, pos_label=positive). */
  readonly recallPositive: number;
  /** recall_score(y_true, y_pred, labels=labels, average="macro"). */
  readonly recallMacro: number;
}

export class ClassificationMetricsError extends Error {
  override readonly name = 'ClassificationMetricsError';
}

/** `confusion_matrix(y_true, y_pred, labels=labels)`. */
export function confusionMatrix(
  yTrue: readonly string[],
  yPred: readonly string[],
  labels: readonly string[],
): number[][] {
  const indexOf = checkInputs(yTrue, yPred, labels);
  const matrix = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < yTrue.length; i++) {
    matrix[indexOf(yTrue[i], 'yTrue', i)][indexOf(yPred[i], 'yPred', i)]++;
  }
  return matrix;
}

export function classificationMetrics(
  yTrue: readonly string[],
  yPred: readonly string[],
  labels: readonly string[],
  positive: string,
): ClassificationMetrics {
  return metricsFromConfusionMatrix(confusionMatrix(yTrue, yPred, labels), labels, positive);
}

/**
 * The same metrics from the confusion matrix alone (rows: true labels, columns: predicted, both in
 * `labels` order), for counts that were tallied elsewhere, say by the database: every number above
 * depends on the samples only through this matrix.
 */
export function metricsFromConfusionMatrix(
  cm: readonly (readonly number[])[],
  labels: readonly string[],
  positive: string,
): ClassificationMetrics {
  if (cm.length !== labels.length || cm.some((row) => row.length !== labels.length)) {
    throw new ClassificationMetricsError(`the confusion matrix must be ${labels.length} x ${labels.length}, one row and column per label`);
  }
  const positiveIndex = labels.indexOf(positive);
  if (positiveIndex < 0) {
    throw new ClassificationMetricsError(
      `positive label ${JSON.stringify(positive)} is not one of the labels ${JSON.stringify(labels)}`,
    );
  }
  const tp = labels.map((_, k) => cm[k][k]);
  const predSum = labels.map((_, k) => cm.reduce((sum, r) => sum + r[k], 0));
  const trueSum = cm.map((r) => r.reduce((sum, v) => sum + v, 0));

  const perClass = labels.map((label, k) => ({ label, ...scores(tp[k], predSum[k], trueSum[k]) }));

  const total = trueSum.reduce((a, b) => a + b, 0);
  if (total === 0) throw new ClassificationMetricsError('Cannot compute classification metrics of zero samples');
  const tpTotal = tp.reduce((a, b) => a + b, 0);
  const micro = scores(tpTotal, total, total);
  const precision = Float64Array.from(perClass, (c) => c.precision);
  const recall = Float64Array.from(perClass, (c) => c.recall);
  const f1 = Float64Array.from(perClass, (c) => c.f1);
  const macroAvg = {
    precision: average(precision),
    recall: average(recall),
    f1: average(f1),
    support: total,
  };
  const weightedAvg = {
    precision: weightedAverage(precision, trueSum),
    recall: weightedAverage(recall, trueSum),
    f1: weightedAverage(f1, trueSum),
    support: total,
  };
  return {
    labels: [...labels],
    perClass,
    accuracy: micro.precision,
    microAvg: { ...micro, support: total },
    microIsAccuracy: labels.every((_, k) => trueSum[k] > 0 || predSum[k] > 0),
    macroAvg,
    weightedAvg,
    confusionMatrix: cm.map((row) => [...row]),
    positive,
    recallPositive: perClass[positiveIndex].recall,
    recallMacro: macroAvg.recall,
  };
}

/**
 * `_prf_divide` (a zero denominator gives 0) and F1 as `(1 + beta2) * precision * recall / denom`
 * with `denom = beta2 * precision + recall`, beta2 = 1, evaluated left to right as numpy does.
 */
function scores(tp: number, predicted: number, actual: number): ClassScores {
  const precision = predicted === 0 ? 0 : tp / predicted;
  const recall = actual === 0 ? 0 : tp / actual;
  const denom = precision + recall;
  const f1 = (2 * precision * recall) / (denom === 0 ? 1 : denom);
  return { precision, recall, f1, support: actual };
}

/** `np.average(a)` = `a.mean()`: numpy's pairwise sum divided by the count. */
function average(values: Float64Array): number {
  return pairwiseSum(values) / values.length;
}

/** `np.average(a, weights=w)` = `np.multiply(a, w).sum() / w.sum()`. */
function weightedAverage(values: Float64Array, weights: readonly number[]): number {
  const products = Float64Array.from(values, (v, k) => v * weights[k]);
  return pairwiseSum(products) / pairwiseSum(Float64Array.from(weights));
}

function checkInputs(
  yTrue: readonly string[],
  yPred: readonly string[],
  labels: readonly string[],
): (label: string, where: string, i: number) => number {
  if (yTrue.length !== yPred.length) {
    throw new ClassificationMetricsError(
      `yTrue has ${yTrue.length} samples but yPred has ${yPred.length}; they must have the same length`,
    );
  }
  if (yTrue.length === 0) {
    throw new ClassificationMetricsError('Cannot compute classification metrics of zero samples');
  }
  if (labels.length === 0) {
    throw new ClassificationMetricsError('labels must name at least one class');
  }
  const index = new Map<string, number>();
  labels.forEach((label, k) => {
    if (index.has(label)) {
      throw new ClassificationMetricsError(`labels contains ${JSON.stringify(label)} twice`);
    }
    index.set(label, k);
  });
  return (label, where, i) => {
    const k = index.get(label);
    if (k === undefined) {
      throw new ClassificationMetricsError(
        `${where}[${i}] is ${JSON.stringify(label)}, which is not one of the labels ${JSON.stringify(labels)}`,
      );
    }
    return k;
  };
}
