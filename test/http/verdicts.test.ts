import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import type { RunningServer } from './server-fixture.js';
import { benignRow, getJson, malignRow, postJson, startServer } from './server-fixture.js';

/*
 * The verdicts the API sends so that no client re-implements them (the dashboard only renders):
 * the monitored metric against the threshold for each model, live values judged once enough
 * positive cases are confirmed, and each class's display name from the configuration.
 */

interface Verdict {
  metric: string;
  label: string;
  value: number;
  threshold: number;
  passed: boolean;
}
interface Performance {
  metrics: { recallPositive: number; recallMacro: number; labels: string[] };
  passed: boolean;
  verdict: Verdict;
  classes: { label: string; name: string }[];
}
interface LiveReport {
  metric: string;
  label: string;
  threshold: number;
  positive: string;
  minCases: number;
  versions: { modelVersion: number; confirmedPositives: number; recall: number; recallMacro: number; value: number; judged: boolean; passed: boolean }[];
}

const get = getJson;

// The first model (recall of M 0.979) is below 0.99: it serves only because serveBelowThreshold says so.
describe('verdicts and class names: recall of M against a threshold of 0.99, judged from 3 cases', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ config: { dataset: { classNames: { M: 'Malignant tumour', B: 'Benign' } }, monitor: { threshold: 0.99, minCases: 3, serveBelowThreshold: true } } });
  });
  afterAll(() => server.close());

  it('sends the test split verdict of the active model and of every version: below the threshold, not passed', async () => {
    const perf = await get<Performance>(`${server.base}/api/v1/performance`);
    expect(perf.verdict).toEqual({ metric: 'recall', label: 'recall of M', value: perf.metrics.recallPositive, threshold: 0.99, passed: false });
    expect(perf.verdict.value).toBeLessThan(0.99);
    expect(perf.passed).toBe(false);
    const { models } = await get<{ models: { version: number; verdict: Verdict }[] }>(`${server.base}/api/v1/models`);
    expect(models.map((m) => [m.version, m.verdict])).toEqual([[1, perf.verdict]]);
    expect((await get<{ verdict: Verdict }>(`${server.base}/api/v1/models/1`)).verdict).toEqual(perf.verdict);
  });

  it("names the model's classes in label order with the configuration's words", async () => {
    const perf = await get<Performance>(`${server.base}/api/v1/performance`);
    expect(perf.metrics.labels).toEqual(['B', 'M']);
    expect(perf.classes).toEqual([
      { label: 'B', name: 'Benign' },
      { label: 'M', name: 'Malignant tumour' },
    ]);
  });

  it('judges live recall only from minCases confirmed positives, and then says whether it passed', async () => {
    const predicted = await postJson(`${server.base}/api/v1/predict`, { rows: [malignRow, malignRow, benignRow, benignRow] });
    const ids = ((await predicted.json()) as { predictions: { predictionId: string; label: string }[] }).predictions;
    expect(ids.map((p) => p.label)).toEqual(['M', 'M', 'B', 'B']);
    const confirm = async (items: { predictionId: string; actual: string }[]) => expect((await postJson(`${server.base}/api/v1/feedback`, { items })).status).toBe(200);

    // Two malignant cases, both found: recall 1, but 2 of the 3 positives needed.
    await confirm([
      { predictionId: ids[0].predictionId, actual: 'M' },
      { predictionId: ids[1].predictionId, actual: 'M' },
    ]);
    const early = await get<LiveReport>(`${server.base}/api/v1/performance/live`);
    expect(early).toMatchObject({ metric: 'recall', label: 'recall of M', threshold: 0.99, positive: 'M', minCases: 3 });
    expect(early.versions).toEqual([expect.objectContaining({ modelVersion: 1, confirmedPositives: 2, value: 1, judged: false, passed: true })]);

    // A third malignant case the model called benign: recall 2/3, judged, below 0.99.
    await confirm([
      { predictionId: ids[2].predictionId, actual: 'M' },
      { predictionId: ids[3].predictionId, actual: 'B' },
    ]);
    const judged = await get<LiveReport>(`${server.base}/api/v1/performance/live`);
    expect(judged.versions).toEqual([expect.objectContaining({ modelVersion: 1, confirmedPositives: 3, value: 2 / 3, judged: true, passed: false })]);
    expect(judged.versions[0].value).toBe(judged.versions[0].recall);

    // The check's run result carries the same live verdict.
    const started = await fetch(`${server.base}/api/v1/jobs/check/run`, { method: 'POST' });
    expect(started.status).toBe(202);
    const { links } = (await started.json()) as { links: { run: string } };
    const run = await waitFor(
      'the check run',
      async () => {
        const r = await get<{ status: string; result: { passed: boolean; live: unknown } }>(`${server.base}${links.run}`);
        return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
      },
      15_000,
      50,
    );
    expect(run.status).toBe('succeeded');
    expect(run.result.passed).toBe(false);
    expect(run.result.live).toEqual({ window: 'last 30d', confirmed: 4, confirmedPositives: 3, value: 2 / 3, judged: true, passed: false });
  });
});

describe('verdicts of macro recall, and class names partly configured', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ config: { dataset: { classNames: { M: 'Malignant tumour' } }, monitor: { metric: 'recall_macro', minCases: 1 } } });
  });
  afterAll(() => server.close());

  it('labels and measures macro recall, passing the default threshold 0.9, and names B, which has no configured name, by its label', async () => {
    const perf = await get<Performance>(`${server.base}/api/v1/performance`);
    expect(perf.verdict).toEqual({ metric: 'recall_macro', label: 'macro recall', value: perf.metrics.recallMacro, threshold: 0.9, passed: true });
    expect(perf.classes).toEqual([
      { label: 'B', name: 'B' },
      { label: 'M', name: 'Malignant tumour' },
    ]);

    const predicted = (await (await postJson(`${server.base}/api/v1/predict`, { rows: [malignRow, benignRow] })).json()) as { predictions: { predictionId: string }[] };
    const items = [
      { predictionId: predicted.predictions[0].predictionId, actual: 'M' },
      { predictionId: predicted.predictions[1].predictionId, actual: 'M' },
    ];
    expect((await postJson(`${server.base}/api/v1/feedback`, { items })).status).toBe(200);
    const live = await get<LiveReport>(`${server.base}/api/v1/performance/live`);
    expect(live).toMatchObject({ metric: 'recall_macro', label: 'macro recall', threshold: 0.9 });
    const [version] = live.versions;
    // Only M was confirmed: recall of M 1/2; B has no support, its recall 0 (zero_division=0).
    expect(version).toMatchObject({ confirmedPositives: 2, judged: true, passed: false });
    expect(version.value).toBe(version.recallMacro);
    expect(version.value).toBe(0.25);
  });
});
