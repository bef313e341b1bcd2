import { describe, expect, it } from 'vitest';
import { ClassificationMetricsError } from '../../src/core/classification-metrics.js';
import type { DecisionCurves } from '../../src/core/metrics/decision-curves.js';
import { LIVE_CURVE_MAX_POINTS, liveCurves, rankConfirmedCases, thinCurves } from '../../src/core/metrics/live-curves.js';
import { readGolden } from '../helpers/wdbc.js';

/** JSON has no NaN: scripts/make-stats-golden.py writes it as null. */
type Num = number | null;

interface GoldenClass {
  readonly label: string;
  readonly support: number;
  readonly roc: { fpr: Num[]; tpr: Num[]; thresholds: number[] };
  readonly roc_auc: Num;
  readonly pr: { precision: number[]; recall: number[]; thresholds: number[] };
  readonly average_precision: Num;
  readonly operating_point: { threshold: number; recall: Num; fpr: Num; precision: Num };
}

interface GoldenCase {
  readonly name: string;
  readonly classes: string[];
  readonly positive: string;
  readonly threshold: number;
  readonly actual: string[];
  readonly predicted: string[];
  readonly decision: number[];
  readonly probabilities: number[][] | null;
  readonly score: DecisionCurves['score'];
  readonly per_class: GoldenClass[];
}

const golden = readGolden<{ sklearn_version: string; cases: GoldenCase[] }>('live-curves');

const byLabel = (classes: readonly string[], row: readonly number[]) => Object.fromEntries(classes.map((c, j) => [c, row[j]]));

function casesOf(c: GoldenCase) {
  const { probabilities } = c;
  return {
    decision: c.decision,
    predicted: c.predicted,
    actual: c.actual,
    probabilities: probabilities === null ? c.actual.map(() => null) : probabilities.map((row) => byLabel(c.classes, row)),
  };
}

describe(`live curves against scikit-learn ${golden.sklearn_version}`, () => {
  it('has binary cases of either positive class and with a threshold, and multiclass cases', () => {
    expect(golden.cases.filter((c) => c.classes.length === 2).map((c) => c.positive)).toEqual(expect.arrayContaining(['M', 'B']));
    expect(golden.cases.some((c) => c.threshold !== 0)).toBe(true);
    expect(golden.cases.filter((c) => c.score === 'predict_proba').length).toBeGreaterThanOrEqual(2);
  });

  // Every value is one of scikit-learn's to the bit: the curves count, the areas sum in numpy's order.
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const curves = liveCurves(casesOf(c), c.classes, c.positive, c.threshold);
    expect(curves).toEqual({
      score: c.score,
      perClass: c.per_class.map((g) => ({
        label: g.label,
        support: g.support,
        roc: { fpr: g.roc.fpr, tpr: g.roc.tpr, thresholds: g.roc.thresholds },
        rocAuc: g.roc_auc,
        precisionRecall: g.pr,
        averagePrecision: g.average_precision,
        operatingPoint: g.operating_point,
      })),
    });
  });
});

describe('live curves without a ranking', () => {
  const multiclass = golden.cases.find((c) => c.score === 'predict_proba') as GoldenCase;

  it('has none without a confirmed case', () => {
    expect(liveCurves({ decision: [], predicted: [], actual: [], probabilities: [] }, ['B', 'M'], 'M', 0)).toBe('no confirmed cases');
  });

  it('has none for more than two classes answered without probabilities', () => {
    const cases = casesOf(multiclass);
    expect(liveCurves({ ...cases, probabilities: cases.probabilities.map(() => null) }, multiclass.classes, multiclass.positive, 0)).toBe('no probabilities');
  });

  it("has null where scikit-learn's rates are NaN: every confirmed case malignant, no false-positive rate", () => {
    const curves = liveCurves({ decision: [2, 1, -1], predicted: ['M', 'M', 'B'], actual: ['M', 'M', 'M'], probabilities: [null, null, null] }, ['B', 'M'], 'M', 0) as DecisionCurves;
    const [m] = curves.perClass;
    expect(m.roc.fpr.every((v) => v === null)).toBe(true);
    // roc_curve's drop_intermediate drops the middle point, collinear with its neighbours (fps 0, 0, 0; tps 1, 2, 3).
    expect(m.roc.tpr).toEqual([0, 1 / 3, 1]);
    expect([m.rocAuc, m.operatingPoint.fpr, m.operatingPoint.recall]).toEqual([null, null, 2 / 3]);
  });

  it('rejects cases of different lengths and labels the version does not have', () => {
    expect(() => liveCurves({ decision: [1], predicted: ['M', 'B'], actual: ['M', 'B'], probabilities: [null, null] }, ['B', 'M'], 'M', 0)).toThrow(ClassificationMetricsError);
    expect(() => liveCurves({ decision: [1, -1], predicted: ['M', 'B'], actual: ['M', 'X'], probabilities: [null, null] }, ['B', 'M'], 'M', 0)).toThrow(ClassificationMetricsError);
  });
});

describe('thinned live curves', () => {
  const c = golden.cases[0];
  const full = liveCurves(casesOf(c), c.classes, c.positive, c.threshold) as DecisionCurves;
  const [roc, pr] = [full.perClass[0].roc, full.perClass[0].precisionRecall];

  it('keeps curves of at most maxPoints points as they are', () => {
    expect(Math.max(roc.thresholds.length, pr.thresholds.length + 1)).toBeLessThan(LIVE_CURVE_MAX_POINTS);
    expect(thinCurves(full, LIVE_CURVE_MAX_POINTS)).toEqual({ curves: full, thinned: false });
    expect(rankConfirmedCases(casesOf(c), c.classes, c.positive, c.threshold)).toEqual({ curves: full, thinned: false });
  });

  it('keeps maxPoints exact points of a longer curve, first and last among them, and the areas and operating point', () => {
    const max = 10;
    expect(pr.thresholds.length).toBeGreaterThan(max);
    const { curves, thinned } = thinCurves(full, max);
    expect(thinned).toBe(true);
    const [k] = curves.perClass;
    const { roc: _roc, precisionRecall: _pr, ...rest } = full.perClass[0];
    expect(k).toMatchObject(rest);
    const triples = (xs: readonly (number | null)[], ys: readonly (number | null)[], ts: readonly number[]) => ts.map((t, i) => `${xs[i]} ${ys[i]} ${t}`);
    const rocPoints = triples(k.roc.fpr, k.roc.tpr, k.roc.thresholds);
    expect(rocPoints).toHaveLength(Math.min(max, roc.thresholds.length));
    expect(triples(roc.fpr, roc.tpr, roc.thresholds)).toEqual(expect.arrayContaining(rocPoints));
    expect([rocPoints[0], rocPoints.at(-1)]).toEqual([triples(roc.fpr, roc.tpr, roc.thresholds)[0], triples(roc.fpr, roc.tpr, roc.thresholds).at(-1)]);
    const prPoints = triples(k.precisionRecall.precision, k.precisionRecall.recall, k.precisionRecall.thresholds);
    const prFull = triples(pr.precision, pr.recall, pr.thresholds);
    expect(k.precisionRecall.thresholds).toHaveLength(max - 1);
    expect(k.precisionRecall.precision).toHaveLength(max);
    expect(prFull).toEqual(expect.arrayContaining(prPoints));
    expect([prPoints[0], prPoints.at(-1)]).toEqual([prFull[0], prFull.at(-1)]);
    // The final point, without a threshold: precision 1 at recall 0.
    expect([k.precisionRecall.precision.at(-1), k.precisionRecall.recall.at(-1)]).toEqual([pr.precision.at(-1), pr.recall.at(-1)]);
    // Evenly spread by rank: increasing thresholds, none twice.
    expect(new Set(k.precisionRecall.thresholds).size).toBe(max - 1);
    expect([...k.precisionRecall.thresholds].sort((a, b) => a - b)).toEqual(k.precisionRecall.thresholds);
  });
});
