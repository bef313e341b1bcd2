import { describe, expect, it } from 'vitest';
import { matrixFromRows } from '../../src/core/matrix.js';
import { oneVsRestCurves } from '../../src/core/metrics/one-vs-rest-curves.js';
import {
  RankingCurveError,
  auc,
  averagePrecisionScore,
  precisionRecallCurve,
  rocAucScore,
  rocCurve,
} from '../../src/core/metrics/ranking-curves.js';
import { readGolden } from '../helpers/wdbc.js';

/** JSON has no NaN: scripts/make-stats-golden.py writes it as null. */
type Num = number | null;

interface GoldenCurves {
  readonly positive: string;
  readonly roc: { fpr: Num[]; tpr: Num[]; thresholds: number[] };
  readonly roc_auc: Num;
  readonly pr: { precision: number[]; recall: number[]; thresholds: number[] };
  readonly average_precision: number;
}

interface GoldenBinary extends GoldenCurves {
  readonly name: string;
  readonly y_true: string[];
  readonly scores: number[];
  readonly roc_all: { fpr: Num[]; tpr: Num[]; thresholds: number[] };
}

interface RankingGolden {
  readonly sklearn_version: string;
  readonly binary: GoldenBinary[];
  readonly ovr: {
    name: string;
    classes: string[];
    y_true: string[];
    scores: number[][];
    per_class: GoldenCurves[];
    macro_roc_auc: Num;
    weighted_roc_auc: Num;
    macro_average_precision: number;
  }[];
}

const golden = readGolden<RankingGolden>('ranking-curves');

const nan = (v: Num): number => (v === null ? Number.NaN : v);
const nans = (values: Num[]): number[] => values.map(nan);
const rocOf = (g: { fpr: Num[]; tpr: Num[]; thresholds: number[] }) => ({
  fpr: nans(g.fpr),
  tpr: nans(g.tpr),
  thresholds: g.thresholds,
});

describe(`ranking curves against scikit-learn ${golden.sklearn_version}`, () => {
  it('has golden cases with ties, a single class and 569 rows', () => {
    const names = golden.binary.map((c) => c.name);
    expect(names.some((n) => n.includes('ties'))).toBe(true);
    expect(golden.binary.filter((c) => c.roc_auc === null).length).toBeGreaterThanOrEqual(3);
    expect(golden.binary.filter((c) => c.y_true.length === 569).length).toBeGreaterThanOrEqual(3);
  });

  // Counts are integers and every rate is one division, so the curves are exact; the areas
  // add in numpy's pairwise order, so they are exact too.
  it.each(golden.binary.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(rocCurve(c.y_true, c.scores, c.positive)).toEqual(rocOf(c.roc));
    expect(rocCurve(c.y_true, c.scores, c.positive, { dropIntermediate: false })).toEqual(rocOf(c.roc_all));
    expect(rocAucScore(c.y_true, c.scores, c.positive)).toBe(nan(c.roc_auc));
    expect(precisionRecallCurve(c.y_true, c.scores, c.positive)).toEqual(c.pr);
    expect(averagePrecisionScore(c.y_true, c.scores, c.positive)).toBe(c.average_precision);
  });

  it('reads typed arrays of scores the same way', () => {
    for (const c of golden.binary) {
      expect(rocCurve(c.y_true, Float64Array.from(c.scores), c.positive)).toEqual(rocOf(c.roc));
    }
  });
});

describe(`one-vs-rest curves against scikit-learn ${golden.sklearn_version}`, () => {
  it.each(golden.ovr.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = oneVsRestCurves(c.y_true, matrixFromRows(c.scores), c.classes);
    expect(result.perClass.map((k) => k.label)).toEqual(c.classes);
    result.perClass.forEach((k, i) => {
      const g = c.per_class[i];
      expect(k.support).toBe(c.y_true.filter((y) => y === g.positive).length);
      expect(k.roc).toEqual(rocOf(g.roc));
      expect(k.rocAuc).toBe(nan(g.roc_auc));
      expect(k.precisionRecall).toEqual(g.pr);
      expect(k.averagePrecision).toBe(g.average_precision);
    });
    expect(result.macroRocAuc).toBe(nan(c.macro_roc_auc));
    expect(result.weightedRocAuc).toBe(nan(c.weighted_roc_auc));
    expect(result.macroAveragePrecision).toBe(c.macro_average_precision);
  });

  it('rejects a score matrix that does not match the labels or classes', () => {
    const scores = matrixFromRows([[0.2, 0.8], [0.6, 0.4]]);
    expect(() => oneVsRestCurves(['a', 'b'], scores, ['a', 'b', 'c'])).toThrow(RankingCurveError);
    expect(() => oneVsRestCurves(['a'], scores, ['a', 'b'])).toThrow(/1 labels but scores has 2 rows/);
  });
});

describe('input checks', () => {
  it('rejects empty, mismatched and non-finite input, as scikit-learn does', () => {
    expect(() => rocCurve([], [], 1)).toThrow(RankingCurveError);
    expect(() => rocCurve([1, 0], [0.5], 1)).toThrow(/2 labels but scores has 1/);
    expect(() => precisionRecallCurve([1, 0], [0.5, Number.NaN], 1)).toThrow(/index 1 is not finite/);
    expect(() => rocAucScore([1, 0], [Infinity, 0], 1)).toThrow(RankingCurveError);
  });

  it('computes auc for decreasing x and rejects non-monotonic x, as sklearn.metrics.auc', () => {
    expect(auc([1, 0.5, 0], [1, 1, 0])).toBe(auc([0, 0.5, 1], [0, 1, 1]));
    expect(() => auc([0, 1, 0.5], [0, 1, 1])).toThrow(/neither increasing nor decreasing/);
    expect(() => auc([0], [1])).toThrow(/at least 2 points/);
  });
});
