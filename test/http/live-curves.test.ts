import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { DecisionCurves } from '../../src/core/metrics/decision-curves.js';
import { classRankingCurves } from '../../src/core/metrics/one-vs-rest-curves.js';
import { averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from '../../src/core/metrics/ranking-curves.js';
import { sqliteFileName } from '../../src/store/database.js';
import { readFileSync } from 'node:fs';
import { tempDir, writeFile } from '../helpers/fixtures.js';
import { loadWdbc } from '../helpers/wdbc.js';
import { getJson, postJson, useServer } from './server-fixture.js';

interface Answer {
  readonly predictionId: string;
  readonly label: string;
  readonly decision: number;
}

interface CurvesCases {
  readonly maxRows: number;
  readonly rows: number;
  readonly windowRows: number;
  readonly sampled: boolean;
  readonly computedAt: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: string | null;
}

interface LiveBody {
  readonly versions: readonly { modelVersion: number; confirmed: number; curves: DecisionCurves | null; curvesCases: CurvesCases }[];
}

/**
 * The curves scikit-learn's roc_curve / precision_recall_curve give the positive class M, whose
 * score is the answered decision value (M is classes[1]), with the operating point of the answers.
 */
function expectedCurves(cases: readonly { answer: Answer; actual: string }[]): DecisionCurves {
  const actual = cases.map((c) => c.actual);
  const scores = cases.map((c) => c.answer.decision);
  const roc = rocCurve(actual, scores, 'M');
  const precisionRecall = precisionRecallCurve(actual, scores, 'M');
  const count = (p: (c: (typeof cases)[number]) => boolean) => cases.filter(p).length;
  const tp = count((c) => c.actual === 'M' && c.answer.label === 'M');
  const fp = count((c) => c.actual === 'B' && c.answer.label === 'M');
  const positives = count((c) => c.actual === 'M');
  return {
    score: 'decision_function',
    perClass: [
      {
        label: 'M',
        support: positives,
        roc,
        rocAuc: rocAuc(roc),
        precisionRecall,
        averagePrecision: averagePrecision(precisionRecall),
        operatingPoint: { threshold: 0, recall: tp / positives, fpr: fp / (cases.length - positives), precision: tp / (tp + fp) },
      },
    ],
  };
}

/** Live ROC and precision–recall curves over HTTP: predict, confirm the diagnoses, read them back. */
describe('live curves over HTTP', () => {
  // liveCurvesMinInterval 1ms: each read recomputes them (a feedback request between two takes longer), so each step below sees its feedback.
  const ctx = useServer({ config: { monitor: { liveCurvesMaxRows: 50, liveCurvesMinInterval: '1ms' } } });
  const wdbc = loadWdbc();
  const rows = Array.from({ length: 120 }, (_, i) => Array.from(wdbc.x.data.subarray(i * wdbc.x.cols, (i + 1) * wdbc.x.cols)));
  const externalIds = rows.map((_, i) => `case-${i}`);
  const live = () => getJson<LiveBody>(`${ctx.base}/api/v1/performance/live`);
  const confirm = async (from: number, to: number) => {
    const items = externalIds.slice(from, to).map((externalId, k) => ({ externalId, actual: wdbc.y[from + k] }));
    expect((await postJson(`${ctx.base}/api/v1/feedback`, { items })).status).toBe(200);
  };

  it("has the curves of the version's confirmed cases, then of its most recently confirmed liveCurvesMaxRows", async () => {
    const response = await postJson(`${ctx.base}/api/v1/predict`, { rows, externalIds });
    expect(response.status).toBe(200);
    const { predictions: answers } = (await response.json()) as { predictions: Answer[] };
    expect(new Set(answers.map((a) => a.label))).toEqual(new Set(['B', 'M']));

    await confirm(0, 40);
    const first = (await live()).versions[0];
    expect(first.curvesCases).toMatchObject({ maxRows: 50, rows: 40, windowRows: 40, sampled: false, reason: null });
    expect(first.curves).toEqual(expectedCurves(answers.slice(0, 40).map((answer, i) => ({ answer, actual: wdbc.y[i] }))));

    await confirm(40, 120);
    const second = (await live()).versions[0];
    expect(second.confirmed).toBe(120);
    expect(second.curvesCases).toMatchObject({ maxRows: 50, rows: 50, windowRows: 120, sampled: true, reason: null });
    // The 50 most recently confirmed, as the store orders them: by confirmation time, then id.
    const db = new SqliteDatabase(path.join(ctx.server.dataDir, sqliteFileName), { readonly: true });
    const confirmedAt = new Map((db.prepare('select id, confirmed_at from predictions').all() as { id: string; confirmed_at: string }[]).map((r) => [r.id, r.confirmed_at]));
    db.close();
    const newest = answers
      .map((answer, i) => ({ answer, actual: wdbc.y[i], at: confirmedAt.get(answer.predictionId) as string }))
      .sort((a, b) => b.at.localeCompare(a.at) || b.answer.predictionId.localeCompare(a.answer.predictionId))
      .slice(0, 50);
    expect(second.curves).toEqual(expectedCurves(newest));
    expect(second.curvesCases).toMatchObject({ from: newest[49].at, to: newest[0].at });
  });
});

/** Three classes: each ranked against the rest by the answers' probabilities, as predict_proba's column. */
describe('live curves of three classes over HTTP', () => {
  const iris = JSON.parse(readFileSync(new URL('../golden/tabular-iris.json', import.meta.url), 'utf8')) as { csv: string; reading: { label: string; positive: string } };
  const source = writeFile(tempDir('mloop-iris-'), 'iris.csv', iris.csv);
  const ctx = useServer({ config: { dataset: { source, ...iris.reading, drop: ['color'] }, monitor: { serveBelowThreshold: true } } });

  it('ranks the confirmed cases by each class probability (predict_proba), one class against the rest', async () => {
    const [header, ...lines] = iris.csv.trimEnd().split('\n');
    const names = header.split(',');
    const species = lines.map((line) => line.split(',')[names.indexOf('species')]);
    const rows = lines.map((line) => {
      const cells = line.split(',');
      return Object.fromEntries(names.flatMap((name, j) => (name === 'species' || name === 'color' ? [] : [[name, Number(cells[j])]])));
    });
    const externalIds = rows.map((_, i) => `iris-${i}`);
    const response = await postJson(`${ctx.base}/api/v1/predict`, { rows, externalIds });
    expect(response.status).toBe(200);
    const { classes, predictions } = (await response.json()) as { classes: string[]; predictions: { label: string; probabilities: Record<string, number> }[] };
    expect(classes).toHaveLength(3);
    const items = externalIds.map((externalId, i) => ({ externalId, actual: species[i] }));
    expect((await postJson(`${ctx.base}/api/v1/feedback`, { items })).status).toBe(200);

    const [version] = (await getJson<LiveBody>(`${ctx.base}/api/v1/performance/live`)).versions;
    expect(version.curvesCases).toMatchObject({ rows: 150, windowRows: 150, sampled: false, reason: null });
    expect(version.curves?.score).toBe('predict_proba');
    expect(version.curves?.perClass).toEqual(
      classes.map((label) => {
        const { roc, rocAuc: auc, precisionRecall, averagePrecision: ap, support } = classRankingCurves(species, predictions.map((p) => p.probabilities[label]), label);
        const tp = predictions.filter((p, i) => p.label === label && species[i] === label).length;
        const predicted = predictions.filter((p) => p.label === label).length;
        return {
          label,
          support,
          roc,
          rocAuc: auc,
          precisionRecall,
          averagePrecision: ap,
          operatingPoint: { threshold: 0, recall: tp / support, fpr: (predicted - tp) / (150 - support), precision: tp / predicted },
        };
      }),
    );
  });
});
