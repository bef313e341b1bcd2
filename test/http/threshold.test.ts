import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../src/core/dataset.js';
import { getJson, postJson, useServer } from './server-fixture.js';

/**
 * An admin moves the operating point of a trained version: the what-if on its test split and on
 * its live confirmed cases, then the save as a new version that the gate judges against the
 * champion as it judges a training's candidate. The expected test-split figures are scikit-learn's
 * (scripts/make-threshold-golden.py: the default normalized pipeline on the default split).
 */
interface Figures {
  threshold: number;
  labels: string[];
  confusionMatrix: number[][];
  rows: number;
  positives: number;
  recall: number | null;
  specificity: number | null;
  precision: number | null;
  accuracy: number | null;
}
interface WhatIf {
  version: number;
  positive: string;
  threshold: number;
  current: { threshold: number; source: string };
  testSplit: Figures & { snapshotId: number };
  live: Figures & { window: string };
}
interface Saved {
  runId: number;
  activated: boolean;
  gateReason: string | null;
  model: { version: number; gateVerdict: string; servingStatus: string; monitoredValue: number; metrics: { recallPositive: number; confusionMatrix: number[][] } };
}
interface GoldenResult {
  threshold: number;
  confusion_matrix: number[][];
  recall: number;
  specificity: number;
  precision: number | null;
  accuracy: number;
}
const golden = JSON.parse(readFileSync(new URL('../golden/threshold-what-if.json', import.meta.url), 'utf8')) as { cases: { positive: string; results: GoldenResult[] }[] };
const sklearnAt = (t: number): GoldenResult => {
  const found = golden.cases.find((c) => c.positive === 'M')?.results.find((r) => r.threshold === t);
  if (!found) throw new Error(`no golden result at ${t}`);
  return found;
};
const wdbc = parseDataset(readFileSync(new URL('../../data/wdbc.csv', import.meta.url), 'utf8'), { label: 'diagnosis', positive: 'M', drop: ['id'] });
const rowsOf = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => Array.from(wdbc.x.data.subarray((from + k) * wdbc.x.cols, (from + k + 1) * wdbc.x.cols)));

describe('a decision threshold chosen by an admin', () => {
  const fixture = useServer();

  it('answers what a threshold gives on the test split as scikit-learn counts it', async () => {
    for (const t of [-0.5, 0.75, 0]) {
      const whatIf = await getJson<WhatIf>(`${fixture.base}/api/v1/models/1/threshold?at=${t}`);
      const expected = sklearnAt(t);
      expect(whatIf).toMatchObject({ version: 1, positive: 'M', threshold: t, current: { threshold: 0, source: 'boundary' } });
      expect(whatIf.testSplit).toMatchObject({ labels: ['B', 'M'], confusionMatrix: expected.confusion_matrix, rows: 114, positives: 48, recall: expected.recall, specificity: expected.specificity, precision: expected.precision, accuracy: expected.accuracy });
    }
    // Without `at`, the version's own operating point: its stored test-split confusion matrix.
    const own = await getJson<WhatIf>(`${fixture.base}/api/v1/models/1/threshold`);
    const model = await getJson<{ metrics: { confusionMatrix: number[][] } }>(`${fixture.base}/api/v1/models/1`);
    expect(own.threshold).toBe(0);
    expect(own.testSplit.confusionMatrix).toEqual(model.metrics.confusionMatrix);
  });

  it('answers what a threshold gives on the live confirmed cases of the version', async () => {
    const rows = rowsOf(0, 40);
    const answer = (await (await postJson(`${fixture.base}/api/v1/predict`, { rows })).json()) as { predictions: { predictionId: string; decision: number }[] };
    const confirmed = answer.predictions.slice(0, 30).map((p, i) => ({ predictionId: p.predictionId, actual: wdbc.y[i] }));
    expect((await postJson(`${fixture.base}/api/v1/feedback`, { items: confirmed })).status).toBe(200);
    for (const t of [-0.5, 0.75]) {
      const { live } = await getJson<WhatIf>(`${fixture.base}/api/v1/models/1/threshold?at=${t}`);
      // Counted here from the answers' decision values and the confirmed labels.
      const cm = [
        [0, 0],
        [0, 0],
      ];
      confirmed.forEach((c, i) => cm[c.actual === 'M' ? 1 : 0][answer.predictions[i].decision >= t ? 1 : 0]++);
      expect(live).toMatchObject({ rows: 30, confusionMatrix: cm, positives: cm[1][0] + cm[1][1], recall: cm[1][1] / (cm[1][0] + cm[1][1]) });
      expect(live.window).toMatch(/last/);
    }
  });

  it('refuses a threshold that is not a number, and an unknown version', async () => {
    expect((await fetch(`${fixture.base}/api/v1/models/1/threshold?at=abc`)).status).toBe(400);
    expect((await fetch(`${fixture.base}/api/v1/models/99/threshold?at=0`)).status).toBe(404);
    expect((await postJson(`${fixture.base}/api/v1/models/1/threshold`, { threshold: -0.5 })).status).toBe(400);
  });

  /** The threshold each protocol says its labels were decided at. */
  const protocolThresholds = async () => {
    const row = rowsOf(0, 1)[0];
    const oip = (await (await postJson(`${fixture.base}/v2/models/mloop/infer`, { inputs: [{ name: 'features', shape: [1, row.length], datatype: 'FP64', data: row }] })).json()) as { parameters: Record<string, unknown> };
    const mlflow = await postJson(`${fixture.base}/invocations`, { inputs: [row] });
    expect(mlflow.status).toBe(200);
    return { oip: oip.parameters, mlflow: [mlflow.headers.get('mloop-decision-threshold'), mlflow.headers.get('mloop-positive-class')] };
  };

  it("states libsvm's boundary 0 in every protocol's answer while no threshold is chosen", async () => {
    expect(await protocolThresholds()).toEqual({ oip: { decision_threshold: 0, positive_class: 'M' }, mlflow: ['0', 'M'] });
  });

  it('saves a lower threshold as a new version that passes the gate against the champion and serves', async () => {
    const response = await postJson(`${fixture.base}/api/v1/models/1/threshold`, { threshold: -0.5, reason: 'miss no malignant case' });
    expect(response.status).toBe(201);
    const saved = (await response.json()) as Saved;
    const expected = sklearnAt(-0.5);
    expect(saved).toMatchObject({ activated: true, model: { version: 2, gateVerdict: 'passed', servingStatus: 'active', monitoredValue: expected.recall } });
    expect(saved.model.metrics.confusionMatrix).toEqual(expected.confusion_matrix);
    expect(saved.gateReason).toBe("recall of M 1.0000 >= champion v1's 0.9792 on the same 114 rows: passed the promotion gate, it replaces v1");

    const model = await getJson<{ curves: { perClass: { operatingPoint: { threshold: number; recall: number } }[] } }>(`${fixture.base}/api/v1/models/2`);
    expect(model.curves.perClass[0].operatingPoint).toMatchObject({ threshold: -0.5, recall: 1 });
    const whatIf = await getJson<WhatIf>(`${fixture.base}/api/v1/models/2/threshold`);
    expect(whatIf.current).toEqual({ threshold: -0.5, source: 'manual' });

    const run = await getJson<{ kind: string; status: string; trigger: string; result: { version: number } }>(`${fixture.base}/api/v1/runs/${saved.runId}`);
    expect(run).toMatchObject({ kind: 'train', status: 'succeeded', trigger: 'threshold', result: { version: 2 } });
    const { entries } = await getJson<{ entries: { action: string; fromVersion: number | null; toVersion: number; actor: string; reason: string; runId: number | null }[] }>(`${fixture.base}/api/v1/models/audit`);
    expect(entries.slice(0, 2).map((e) => [e.action, e.fromVersion, e.toVersion, e.actor, e.runId])).toEqual([
      ['gate_activation', 1, 2, 'gate', saved.runId],
      ['threshold_change', 1, 2, 'admin', saved.runId],
    ]);
    expect(entries[1].reason).toBe('threshold 0 → -0.5: miss no malignant case');

    // The answers are decided at the new threshold, and say so.
    const answer = (await (await postJson(`${fixture.base}/api/v1/predict`, { rows: rowsOf(0, wdbc.y.length) })).json()) as {
      modelVersion: number;
      decisionThreshold: { positive: string; threshold: number };
      predictions: { label: string; decision: number }[];
    };
    expect(answer.modelVersion).toBe(2);
    expect(answer.decisionThreshold).toEqual({ positive: 'M', threshold: -0.5 });
    for (const p of answer.predictions) expect(p.label).toBe(p.decision >= -0.5 ? 'M' : 'B');
    // Some rows libsvm's boundary calls B are M at this threshold.
    expect(answer.predictions.some((p) => p.decision < 0 && p.label === 'M')).toBe(true);
    expect(await protocolThresholds()).toEqual({ oip: { decision_threshold: -0.5, positive_class: 'M' }, mlflow: ['-0.5', 'M'] });
  });

  it('rejects a higher threshold that loses recall against the champion, and keeps the verdict', async () => {
    const response = await postJson(`${fixture.base}/api/v1/models/2/threshold`, { threshold: 0.75, reason: 'fewer false alarms' });
    expect(response.status).toBe(201);
    const saved = (await response.json()) as Saved;
    expect(saved).toMatchObject({ activated: false, model: { version: 3, gateVerdict: 'rejected', servingStatus: 'candidate', monitoredValue: sklearnAt(0.75).recall } });
    expect(saved.gateReason).toBe('recall of M 0.8125 is below the threshold 0.9: rejected by the promotion gate, v2 stays active');
    expect((await getJson<{ activeVersion: number }>(`${fixture.base}/api/v1/models`)).activeVersion).toBe(2);
    expect(await getJson<{ gateVerdict: string; gateReason: string }>(`${fixture.base}/api/v1/models/3`)).toMatchObject({ gateVerdict: 'rejected', gateReason: saved.gateReason });
  });
});


describe('a model of three classes', () => {
  const iris = JSON.parse(readFileSync(new URL('../golden/tabular-iris.json', import.meta.url), 'utf8')) as { csv: string };
  const source = join(mkdtempSync(join(tmpdir(), 'mloop-threshold-iris-')), 'iris.csv');
  writeFileSync(source, iris.csv);
  const fixture = useServer({ config: { dataset: { source, label: 'species', positive: 'virginica', classNames: {} }, monitor: { serveBelowThreshold: true } } });

  it('has no single decision threshold: 409 to the what-if and to the save', async () => {
    const whatIf = await fetch(`${fixture.base}/api/v1/models/1/threshold?at=0`);
    expect(whatIf.status).toBe(409);
    expect(((await whatIf.json()) as { error: string }).error).toMatch(/two classes.*3 \(setosa, versicolor, virginica\)/);
    const save = await postJson(`${fixture.base}/api/v1/models/1/threshold`, { threshold: 0, reason: 'try' });
    expect(save.status).toBe(409);
  });
});

describe('a threshold saved under a shadow rollout', () => {
  const fixture = useServer({ config: { rollout: { strategy: 'shadow' } } });

  it('becomes the challenger, as a training that passes the gate would', async () => {
    const response = await postJson(`${fixture.base}/api/v1/models/1/threshold`, { threshold: -0.5, reason: 'miss no malignant case' });
    expect(response.status).toBe(201);
    const saved = (await response.json()) as Saved;
    expect(saved).toMatchObject({ activated: false, model: { version: 2, gateVerdict: 'passed', servingStatus: 'challenger' } });
    expect(saved.gateReason).toBe("recall of M 1.0000 >= champion v1's 0.9792 on the same 114 rows: passed the promotion gate, it becomes the challenger of v1 (shadow rollout)");
    expect(await getJson<{ strategy: string; rollout: { championVersion: number; challengerVersion: number } }>(`${fixture.base}/api/v1/rollout`)).toMatchObject({ strategy: 'shadow', rollout: { championVersion: 1, challengerVersion: 2 } });
    expect((await getJson<{ activeVersion: number }>(`${fixture.base}/api/v1/models`)).activeVersion).toBe(1);
  });
});
