/**
 * One-vs-rest ranking curves of a k-class scorer: each class against all the others, with the
 * score column of that class, and the averages scikit-learn 1.2.1 reports
 * (`roc_auc_score(y, scores, multi_class="ovr", average="macro" | "weighted", labels=classes)`,
 * `average_precision_score(label_binarize(y, classes=classes), scores, average="macro")`).
 *
 * scikit-learn's multiclass `roc_auc_score` also insists on probabilities (rows summing to 1)
 * and on every class occurring in y_true; neither is needed for the per-class curves, so
 * neither is checked. A class with no sample gets a NaN ROC AUC (see ranking-curves.ts), which
 * makes the macro average NaN, as scikit-learn's error would make it undefined; the weighted
 * average gives such a class weight 0 and ignores it, as `_average_binary_score` zeroes the
 * scores of zero weight. With k = 2 both classes get their curves; scikit-learn's binary
 * `roc_auc_score` would instead read only the positive column.
 */
import type { Matrix } from '../matrix.js';
import { numpySum } from '../numpy-sum.js';
import type { PrecisionRecallCurve, RocCurve } from './ranking-curves.js';
import { RankingCurveError, averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from './ranking-curves.js';

export interface ClassRankingCurves<L> {
  readonly label: L;
  /** Samples of this class in y_true. */
  readonly support: number;
  readonly roc: RocCurve;
  /** NaN when the class is absent from y_true (or is every sample). */
  readonly rocAuc: number;
  readonly precisionRecall: PrecisionRecallCurve;
  readonly averagePrecision: number;
}

export interface OneVsRestCurves<L> {
  /** In `classes` order, which is the order of the score columns. */
  readonly perClass: readonly ClassRankingCurves<L>[];
  /** Unweighted mean of the per-class ROC AUCs (np.average). */
  readonly macroRocAuc: number;
  /** Mean of the per-class ROC AUCs weighted by support. */
  readonly weightedRocAuc: number;
  /** Unweighted mean of the per-class average precisions. */
  readonly macroAveragePrecision: number;
}

/** The curves of `label` against every other label, ranked by `scores` (one per sample). */
export function classRankingCurves<L>(yTrue: readonly L[], scores: ArrayLike<number>, label: L): ClassRankingCurves<L> {
  const roc = rocCurve(yTrue, scores, label);
  const precisionRecall = precisionRecallCurve(yTrue, scores, label);
  return {
    label,
    support: yTrue.filter((y) => y === label).length,
    roc,
    rocAuc: rocAuc(roc),
    precisionRecall,
    averagePrecision: averagePrecision(precisionRecall),
  };
}

/**
 * The curves of each class of `classes` against the rest; `scores` has one row per sample and
 * one column per class, in `classes` order (decision values or probabilities).
 */
export function oneVsRestCurves<L>(yTrue: readonly L[], scores: Matrix, classes: readonly L[]): OneVsRestCurves<L> {
  if (scores.cols !== classes.length) {
    throw new RankingCurveError(`scores has ${scores.cols} columns but there are ${classes.length} classes`);
  }
  if (scores.rows !== yTrue.length) {
    throw new RankingCurveError(`yTrue has ${yTrue.length} labels but scores has ${scores.rows} rows`);
  }
  const perClass = classes.map((label, k): ClassRankingCurves<L> => {
    const column = new Float64Array(scores.rows);
    for (let i = 0; i < scores.rows; i++) column[i] = scores.data[i * scores.cols + k];
    return classRankingCurves(yTrue, column, label);
  });
  const aucs = Float64Array.from(perClass, (c) => c.rocAuc);
  const supports = Float64Array.from(perClass, (c) => c.support);
  // np.average(score, weights=support): sum(score * weight) / sum(weight), each sum numpy's.
  const weighted = Float64Array.from(aucs, (a, k) => (supports[k] === 0 ? 0 : a * supports[k]));
  return {
    perClass,
    macroRocAuc: numpySum(aucs) / aucs.length,
    weightedRocAuc: numpySum(weighted) / numpySum(supports),
    macroAveragePrecision: numpySum(Float64Array.from(perClass, (c) => c.averagePrecision)) / perClass.length,
  };
}
