import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetRecallThreshold } from '../../src/core/pipeline.js';
import type { RunningServer } from './server-fixture.js';
import { benignRow, getJson, malignRow, postJson, startServer } from './server-fixture.js';

interface Point {
  threshold: number;
  recall: number;
  fpr: number;
}

/**
 * End to end with `monitor.targetRecall: 0.99` on the bundled data: the first training chooses its
 * threshold on out-of-fold decision values, the test split's recall of M at that threshold keeps
 * the out-of-fold promise, the gate judges that figure, and answers carry the threshold and the
 * class probabilities.
 */
describe('monitor.targetRecall', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ config: { monitor: { targetRecall: 0.99 } } });
  });
  afterAll(() => server.close());

  it('serves at the threshold chosen out of fold, and the test split keeps its promise', async () => {
    const chosen = server.app.registry.serving?.artifact.decisionThreshold as TargetRecallThreshold | undefined;
    expect(chosen).toMatchObject({ positive: 'M', targetRecall: 0.99 });
    expect(chosen?.outOfFoldRecall).toBeGreaterThanOrEqual(0.99);
    // Below libsvm's boundary: more cases are called malignant to miss fewer.
    expect(chosen?.threshold).toBeLessThan(0);

    const model = await getJson<{ monitoredValue: number; gateVerdict: string; metrics: { recallPositive: number }; curves: { perClass: { operatingPoint: Point }[] } }>(`${server.base}/api/v1/models/1`);
    expect(model.metrics.recallPositive).toBeGreaterThanOrEqual(chosen?.outOfFoldRecall ?? 1);
    expect(model.monitoredValue).toBe(model.metrics.recallPositive);
    expect(model.gateVerdict).toBe('passed');
    expect(model.curves.perClass[0].operatingPoint).toMatchObject({ threshold: chosen?.threshold, recall: model.metrics.recallPositive });

    const res = await postJson(`${server.base}/api/v1/predict`, { rows: [malignRow, benignRow] });
    const answer = (await res.json()) as { decisionThreshold: { positive: string; threshold: number }; predictions: { label: string; decision: number; probabilities: Record<string, number> }[] };
    expect(answer.decisionThreshold).toEqual({ positive: 'M', threshold: chosen?.threshold });
    expect(answer.predictions.map((p) => p.label)).toEqual(['M', 'B']);
    for (const p of answer.predictions) {
      expect(p.label === 'M').toBe(p.decision >= (chosen?.threshold ?? 0));
      expect(p.probabilities.B + p.probabilities.M).toBeCloseTo(1, 12);
    }
  });
});
