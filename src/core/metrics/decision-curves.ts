import { classRankingCurves, oneVsRestCurves } from './one-vs-rest-curves.js';

/**
 * The ROC and precision–recall curves of a fitted classifier on held-out rows, scored by its
 * decision values as scikit-learn's `roc_curve(y == c, decision_function(X)[:, c])` scores them:
 * the positive class for two classes (the decision value, negated when the positive class is the
 * first one), each class against the rest (its `ovr` column) for more. The operating point is
 * where the model's own predictions put the class on those curves.
 */
export interface ClassCurves {
  readonly label: string;
  /** Rows of this class among the held-out rows. */
  readonly support: number;
  /** fpr (tpr) is null where scikit-learn's is NaN: no negative (positive) row, an UndefinedMetricWarning. */
  readonly roc: { readonly fpr: readonly (number | null)[]; readonly tpr: readonly (number | null)[]; readonly thresholds: readonly number[] };
  /** `roc_auc_score`; null when the class is absent from the rows or is every row. */
  readonly rocAuc: number | null;
  readonly precisionRecall: { readonly precision: readonly number[]; readonly recall: readonly number[]; readonly thresholds: readonly number[] };
  /** `average_precision_score`; null when undefined (no row of the class). */
  readonly averagePrecision: number | null;
  /** The predictions' own point: one-vs-rest recall (tpr), false-positive rate and precision of the class. */
  readonly operatingPoint: OperatingPoint;
}

export interface OperatingPoint {
  /** The decision threshold the predictions used (0: libsvm's boundary). */
  readonly threshold: number;
  readonly recall: number | null;
  readonly fpr: number | null;
  readonly precision: number | null;
}

/** What ranks the rows, by the scikit-learn method that gives it. */
export const CURVE_SCORES = ['decision_function', 'predict_proba'] as const;
export type CurveScore = (typeof CURVE_SCORES)[number];

export interface DecisionCurves {
  /**
   * What ranks the rows: decision values (`decision_function`: the test split's, and the live
   * curves of two classes) or probabilities (`predict_proba`: the live curves of more classes, as
   * the prediction log keeps no other per-class score).
   */
  readonly score: CurveScore;
  /** One entry for two classes (the positive one), one per class in `classes` order for more. */
  readonly perClass: readonly ClassCurves[];
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/**
 * One-vs-rest recall, false-positive rate and precision of each class from a confusion matrix
 * (rows true labels, columns predicted, in `labels` order).
 */
export function operatingPoints(labels: readonly string[], confusion: readonly (readonly number[])[], threshold = 0): Map<string, OperatingPoint> {
  const total = confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  const points = new Map<string, OperatingPoint>();
  labels.forEach((label, c) => {
    const tp = confusion[c][c];
    const actual = confusion[c].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((s, row) => s + row[c], 0);
    const fp = predicted - tp;
    points.set(label, { threshold, recall: ratio(tp, actual), fpr: ratio(fp, total - actual), precision: ratio(tp, predicted) });
  });
  return points;
}

/**
 * `decision`: the rows' decision values as the predictor gives them (one per row, > 0 meaning
 * `classes[1]`, for two classes; k per row, row-major, for more: decision values, or the
 * probabilities with `score` 'predict_proba'). `points`: each class's operating point (see
 * `operatingPoints`).
 */
export function decisionCurves(
  yTrue: readonly string[],
  decision: ArrayLike<number>,
  classes: readonly string[],
  positive: string,
  points: ReadonlyMap<string, OperatingPoint>,
  score: CurveScore = 'decision_function',
): DecisionCurves {
  const k = classes.length;
  const rows = yTrue.length;
  // Two classes: the positive class alone, scored by the decision value (> 0 meaning classes[1]),
  // negated when it is classes[0].
  const sign = positive === classes[0] ? -1 : 1;
  const wanted =
    k === 2
      ? [classRankingCurves(yTrue, Float64Array.from({ length: rows }, (_, i) => sign * decision[i]), positive)]
      : oneVsRestCurves(yTrue, { rows, cols: k, data: Float64Array.from({ length: rows * k }, (_, i) => decision[i]) }, classes).perClass;
  return {
    score,
    perClass: wanted.map((c) => ({
      label: c.label,
      support: c.support,
      // NaN as null, as JSON has it (the stored curves and every answer).
      roc: { fpr: c.roc.fpr.map(finiteOrNull), tpr: c.roc.tpr.map(finiteOrNull), thresholds: c.roc.thresholds },
      rocAuc: finiteOrNull(c.rocAuc),
      precisionRecall: { precision: c.precisionRecall.precision, recall: c.precisionRecall.recall, thresholds: c.precisionRecall.thresholds },
      averagePrecision: finiteOrNull(c.averagePrecision),
      operatingPoint: points.get(c.label) ?? { threshold: 0, recall: null, fpr: null, precision: null },
    })),
  };
}

/**
 * The curves a training stored with its metrics (`metrics.curves`, see `Evaluation`), or null for a
 * version trained before they were kept.
 */
export function storedCurves(metrics: unknown): DecisionCurves | null {
  const curves = (metrics as { curves?: unknown } | null)?.curves;
  return typeof curves === 'object' && curves !== null && Array.isArray((curves as DecisionCurves).perClass) ? (curves as DecisionCurves) : null;
}
