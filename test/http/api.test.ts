import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DecisionCurves } from '../../src/core/metrics/decision-curves.js';
import { waitFor } from '../helpers/wait-for.js';
import { getJson, postJson, useServer } from './server-fixture.js';

interface ModelSummary {
  version: number;
  mode: string;
  status: string;
  metrics: { recallMacro: number; recallPositive: number; accuracy: number };
  pipeline?: unknown;
}

interface Run {
  id: number;
  kind: string;
  status: string;
  progressDone: number | null;
  progressTotal: number | null;
  result: { version?: number } | null;
  error: string | null;
}

const get = getJson;
const probabilityGolden = JSON.parse(readFileSync(new URL('../golden/probability-pipeline.json', import.meta.url), 'utf8')) as {
  cases: { name: string; modes: Record<string, { curves: Record<string, { roc_auc: number; average_precision: number }> }> }[];
};

/** Follows a run at its link the way a client would, until it is over. */
function finished(base: string, link: string): Promise<Run> {
  return waitFor(`run ${link} to finish`, async () => {
    const run = await get<Run>(`${base}${link}`);
    return run.status === 'succeeded' || run.status === 'failed' ? run : undefined;
  }, 60_000, 50);
}

describe('the JSON API under /api/v1', () => {
  const fixture = useServer();

  it('updates the data and lists snapshots', async () => {
    const res = await fetch(`${fixture.base}/api/v1/data/update`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; snapshot: { id: number; rowCount: number; featureNames: string[]; classCounts: Record<string, number> }; runId: number };
    // Bootstrap took the bundled file already: same bytes, same snapshot.
    expect(body.status).toBe('unchanged');
    expect(body.snapshot).toMatchObject({ id: 1, rowCount: 569, classCounts: { B: 357, M: 212 } });
    expect(body.snapshot.featureNames).toHaveLength(30);
    const { snapshots } = await get<{ snapshots: { id: number }[] }>(`${fixture.base}/api/v1/data/snapshots?limit=5&offset=0`);
    expect(snapshots.map((s) => s.id)).toEqual([1]);
    const run = await get<Run>(`${fixture.base}/api/v1/runs/${body.runId}`);
    expect(run).toMatchObject({ kind: 'update', status: 'succeeded' });
  });

  it('lists models and shows one, with its pipeline only on request', async () => {
    const { activeVersion, models } = await get<{ activeVersion: number; models: ModelSummary[] }>(`${fixture.base}/api/v1/models`);
    expect(activeVersion).toBe(1);
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ version: 1, mode: 'normalized', status: 'active' });
    expect(models[0].metrics.recallMacro).toBe(0.9895833333333333);
    expect(models[0]).not.toHaveProperty('pipeline');
    expect(models[0].metrics).not.toHaveProperty('curves');
    const one = await get<ModelSummary & { curves: DecisionCurves }>(`${fixture.base}/api/v1/models/1`);
    expect(one).not.toHaveProperty('pipeline');
    // The test split's curves of M on decision values, as scikit-learn's roc_auc_score and
    // average_precision_score give them for this training (scripts/make-probability-golden.py).
    const expected = probabilityGolden.cases.find((c) => c.name === 'bundled-wdbc')?.modes.normalized.curves.M;
    expect(one.curves.perClass.map((c) => c.label)).toEqual(['M']);
    const [m] = one.curves.perClass;
    expect(m.rocAuc).toBeCloseTo(expected?.roc_auc ?? NaN, 12);
    expect(m.averagePrecision).toBeCloseTo(expected?.average_precision ?? NaN, 12);
    expect(m.operatingPoint).toMatchObject({ threshold: 0, recall: one.metrics.recallPositive });
    expect(m.roc.fpr[0]).toBe(0);
    expect(m.roc.tpr.at(-1)).toBe(1);
    const full = await get<ModelSummary & { pipeline: { kind: string; featureNames: string[] } }>(`${fixture.base}/api/v1/models/1?include=pipeline`);
    expect(full.pipeline.kind).toBe('mloop-pipeline');
    expect((await fetch(`${fixture.base}/api/v1/models/99`)).status).toBe(404);
    const bad = await fetch(`${fixture.base}/api/v1/models/latest`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/params\/version must be integer/);
  });

  it('shows the performance of the active model and its history', async () => {
    const perf = await get<{ version: number; metrics: ModelSummary['metrics']; reportText: string; monitoredMetric: string; monitoredValue: number; threshold: number; passed: boolean }>(`${fixture.base}/api/v1/performance`);
    expect(perf).toMatchObject({ version: 1, monitoredMetric: 'recall', threshold: 0.9, passed: true });
    expect(perf.metrics.recallMacro).toBe(0.9895833333333333);
    expect(typeof perf.metrics.accuracy).toBe('number');
    expect(perf.monitoredValue).toBe(perf.metrics.recallPositive);
    expect(perf.reportText).toContain('macro avg');
    const { checks } = await get<{ checks: { modelVersion: number; metric: string; passed: boolean }[] }>(`${fixture.base}/api/v1/performance/history?limit=10`);
    expect(checks).toEqual([expect.objectContaining({ modelVersion: 1, metric: 'recall', passed: true })]);
  });

  it('trains in the background: 202 with a link to the run, then promote and roll back', async () => {
    const res = await postJson(`${fixture.base}/api/v1/train`, { mode: 'basic', C: 10 });
    expect(res.status).toBe(202);
    const started = (await res.json()) as { runId: number; status: string; links: { run: string } };
    expect(started.links.run).toBe(`/api/v1/runs/${started.runId}`);
    const run = await finished(fixture.base, started.links.run);
    expect(run).toMatchObject({ kind: 'train', status: 'succeeded', error: null });
    const version = run.result?.version as number;
    const trained = await get<ModelSummary & { params: { C: number } }>(`${fixture.base}/api/v1/models/${version}`);
    expect(trained.params.C).toBe(10);

    // basic C=10 does not beat v1 on the same rows: the gate rejected it, so promoting it takes force.
    expect((await fetch(`${fixture.base}/api/v1/models/${version}/promote`, { method: 'POST' })).status).toBe(409);
    const promoted = await postJson(`${fixture.base}/api/v1/models/${version}/promote`, { force: true, reason: 'try it on live cases' });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ version, status: 'active', gateVerdict: 'rejected' });
    expect((await get<{ modelVersion: number }>(`${fixture.base}/readyz`)).modelVersion).toBe(version);
    const rolledBack = await fetch(`${fixture.base}/api/v1/models/rollback`, { method: 'POST' });
    expect(await rolledBack.json()).toMatchObject({ version: 1, status: 'active' });
    expect((await fetch(`${fixture.base}/api/v1/models/99/promote`, { method: 'POST' })).status).toBe(404);

    const { runs } = await get<{ runs: Run[] }>(`${fixture.base}/api/v1/runs?kind=train&limit=10`);
    expect(runs.every((r) => r.kind === 'train')).toBe(true);
    expect(runs[0].id).toBe(started.runId);
  });

  it('answers 400 for an unknown mode, bad parameters and bad paging', async () => {
    const cases: [unknown, RegExp][] = [
      [{ mode: 'deep' }, /body\/mode must be "basic", "normalized" or "gridsearch"/],
      [{ mode: 'basic', C: -1 }, /body\/C must be >= 0.000001/],
      [{ mode: 'basic', gamma: 'huge' }, /body\/gamma must be "scale", "auto" or a number/],
      [{ mode: 'gridsearch', grid: { C: [], gamma: [1] } }, /body\/grid\/C must NOT have fewer than 1 items/],
      [{ mode: 'basic', c: 1 }, /body must NOT have additional property 'c'/],
    ];
    for (const [body, message] of cases) {
      const res = await postJson(`${fixture.base}/api/v1/train`, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    const paging = await fetch(`${fixture.base}/api/v1/runs?limit=0`);
    expect(paging.status).toBe(400);
    expect(((await paging.json()) as { error: string }).error).toMatch(/querystring\/limit must be >= 1/);
    const kind = await fetch(`${fixture.base}/api/v1/runs?kind=nap`);
    expect(kind.status).toBe(400);
    expect((await fetch(`${fixture.base}/api/v1/runs/12345`)).status).toBe(404);
  });

  it('answers 409 with the running run id when a training is already running', async () => {
    const first = await postJson(`${fixture.base}/api/v1/train`, { mode: 'gridsearch' });
    expect(first.status).toBe(202);
    const { runId, links } = (await first.json()) as { runId: number; links: { run: string } };
    const second = await postJson(`${fixture.base}/api/v1/train`, { mode: 'gridsearch' });
    expect(second.status).toBe(409);
    const conflict = (await second.json()) as { error: string; details: { runId: number } };
    expect(conflict.error).toMatch(/already running/);
    expect(conflict.details).toEqual({ runId });
    const tutorial = await fetch(`${fixture.base}/train_svm?param=basic`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(tutorial.status).toBe(409);
    const progress = await get<Run>(`${fixture.base}${links.run}`);
    expect(['queued', 'running', 'succeeded']).toContain(progress.status);
    const done = await finished(fixture.base, links.run);
    expect(done.status).toBe('succeeded');
    expect(done.progressDone).toBe(done.progressTotal);
    expect(done.progressTotal).toBe(80);
  });

  it('answers unknown routes with a 404 in the one error shape', async () => {
    const res = await fetch(`${fixture.base}/api/v1/nothing?x=1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no route GET /api/v1/nothing: see /docs for the API', details: null });
  });
});
