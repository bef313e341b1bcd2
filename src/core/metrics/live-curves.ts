import { ClassificationMetricsError, confusionMatrix } from '../classification-metrics.js';
import type { ClassCurves, DecisionCurves } from './decision-curves.js';
import { decisionCurves, operatingPoints } from './decision-curves.js';

/**
 * What the prediction log keeps of one model version's confirmed cases, enough to rank them: the
 * same curves as the test split's (decision-curves.ts), over the cases pathology confirmed.
 */
export interface ConfirmedCases {
  /** The logged decision value of each case: for two classes, > 0 meaning `classes[1]`. */
  readonly decision: ArrayLike<number>;
  /** What the model answered (at its decision threshold, when it has one). */
  readonly predicted: readonly string[];
  /** What pathology found. */
  readonly actual: readonly string[];
  /** The answer's probabilities by label; null for a case answered without them. */
  readonly probabilities: readonly (Readonly<Record<string, number>> | null)[];
}

/**
 * Most points a live curve keeps (see `thinCurves`): a few hundred pixels wide on a chart, a few
 * tens of kilobytes in an answer, at a rank resolution of 0.1 %. TensorBoard's PR curves keep 201
 * thresholds for the same reason.
 */
export const LIVE_CURVE_MAX_POINTS = 1000;

/**
 * Confirmed cases in typed arrays, as they cross threads (the store's read worker, the main thread,
 * the monitoring worker): a typed array is copied in one piece where fifty thousand strings and
 * objects are copied one by one. `unpackCases` gives the ConfirmedCases they stand for.
 */
export interface PackedCases {
  readonly rows: number;
  readonly decision: Float64Array;
  /** The labels the cases have; `predicted` and `actual` are indexes into them. */
  readonly labels: readonly string[];
  readonly predicted: Uint16Array;
  readonly actual: Uint16Array;
  /** The labels of the logged probabilities, and `rows` × their number of them, row by row; NaN for a case logged without. */
  readonly probabilityLabels: readonly string[];
  readonly probabilities: Float64Array;
}

export function unpackCases(packed: PackedCases): ConfirmedCases {
  const label = (code: number) => packed.labels[code];
  const k = packed.probabilityLabels.length;
  return {
    decision: packed.decision,
    predicted: Array.from(packed.predicted, label),
    actual: Array.from(packed.actual, label),
    probabilities: Array.from({ length: packed.rows }, (_, i) => {
      const row = packed.probabilities.subarray(i * k, (i + 1) * k);
      return k === 0 || row.every(Number.isNaN) ? null : Object.fromEntries(packed.probabilityLabels.map((l, j) => [l, row[j]]));
    }),
  };
}

/** Why a version has no live curves. */
export type NoLiveCurves = 'no confirmed cases' | 'no probabilities';

/**
 * The live ROC and precision–recall curves of one model version, as scikit-learn's `roc_curve`,
 * `roc_auc_score`, `precision_recall_curve` and `average_precision_score` give them over its
 * confirmed cases.
 *
 * Two classes: the positive class's score is the logged decision value, negated when the positive
 * class is `classes[0]`, exactly the test split's `decision_function` score. More classes: the log
 * keeps only the predicted class's decision value, so each class is ranked against the rest by its
 * logged probability (`predict_proba`); a version answering without probabilities has no curves.
 *
 * The operating point is where the version's own answers put each class (one-vs-rest recall,
 * false-positive rate, precision of the logged labels), at its decision `threshold` (the artifact's
 * `decisionThreshold`, else libsvm's 0), as the test split's is.
 */
export function liveCurves(cases: ConfirmedCases, classes: readonly string[], positive: string, threshold: number): DecisionCurves | NoLiveCurves {
  const n = cases.actual.length;
  if (n === 0) return 'no confirmed cases';
  if (cases.decision.length !== n || cases.predicted.length !== n || cases.probabilities.length !== n) {
    throw new ClassificationMetricsError(`confirmed cases of different lengths: ${n} actual, ${cases.predicted.length} predicted, ${cases.decision.length} decision values, ${cases.probabilities.length} probabilities`);
  }
  const points = operatingPoints(classes, confusionMatrix(cases.actual, cases.predicted, classes), threshold);
  if (classes.length === 2) return decisionCurves(cases.actual, cases.decision, classes, positive, points);
  const k = classes.length;
  const scores = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const p = cases.probabilities[i];
    if (p === null) return 'no probabilities';
    classes.forEach((label, j) => {
      const v = p[label];
      if (typeof v !== 'number') throw new ClassificationMetricsError(`case ${i}: the logged probabilities have no ${JSON.stringify(label)} (classes ${JSON.stringify(classes)})`);
      scores[i * k + j] = v;
    });
  }
  return decisionCurves(cases.actual, scores, classes, positive, points, 'predict_proba');
}

/** `count` indices from 0 to n - 1, evenly spread by rank, first and last included; null when n <= count. */
function evenly(n: number, count: number): number[] | null {
  if (n <= count) return null;
  return Array.from({ length: count }, (_, k) => Math.round((k * (n - 1)) / (count - 1)));
}

const pick = <T>(values: readonly T[], at: readonly number[]) => at.map((i) => values[i]);

/**
 * The curves with at most `maxPoints` points each, for an answer and a chart: tens of thousands of
 * confirmed cases with distinct scores give as many points, megabytes that every dashboard poll
 * would download and the server serialise. The points kept are points of the exact curve, evenly
 * spread by threshold rank, the first and the last (and the precision-recall curve's final point
 * without a threshold) among them; the areas and the operating point stay the ones computed on
 * every case.
 */
export function thinCurves(curves: DecisionCurves, maxPoints: number): { readonly curves: DecisionCurves; readonly thinned: boolean } {
  let thinned = false;
  const perClass = curves.perClass.map((c): ClassCurves => {
    const roc = evenly(c.roc.thresholds.length, maxPoints);
    const pr = evenly(c.precisionRecall.thresholds.length, maxPoints - 1);
    if (roc === null && pr === null) return c;
    thinned = true;
    const { precision, recall, thresholds } = c.precisionRecall;
    const last = thresholds.length;
    return {
      ...c,
      roc: roc === null ? c.roc : { fpr: pick(c.roc.fpr, roc), tpr: pick(c.roc.tpr, roc), thresholds: pick(c.roc.thresholds, roc) },
      precisionRecall: pr === null ? c.precisionRecall : { precision: pick(precision, [...pr, last]), recall: pick(recall, [...pr, last]), thresholds: pick(thresholds, pr) },
    };
  });
  return { curves: thinned ? { ...curves, perClass } : curves, thinned };
}

/** A version's live curves as an answer carries them: `liveCurves`, then `thinCurves`. */
export type RankedCases = { readonly curves: DecisionCurves; readonly thinned: boolean } | NoLiveCurves;

export function rankConfirmedCases(cases: ConfirmedCases, classes: readonly string[], positive: string, threshold: number, maxPoints = LIVE_CURVE_MAX_POINTS): RankedCases {
  const curves = liveCurves(cases, classes, positive, threshold);
  return typeof curves === 'string' ? curves : thinCurves(curves, maxPoints);
}
