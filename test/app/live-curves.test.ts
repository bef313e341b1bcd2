import { describe, expect, it } from 'vitest';
import { LiveCurvesMonitor } from '../../src/app/live-curves.js';
import type { ModelRegistry } from '../../src/app/model-registry.js';
import type { PredictionLog } from '../../src/app/prediction-log.js';
import { parseConfig } from '../../src/config/schema.js';
import { rankConfirmedCases, unpackCases } from '../../src/core/metrics/live-curves.js';
import type { Store } from '../../src/store/database.js';
import type { ConfirmedCasesQuery, VersionCases } from '../../src/store/prediction-log-reads.js';
import { versionCases } from '../helpers/version-cases.js';

/** Version 2: two classes, a threshold; version 1: three classes answered without probabilities. */
const cases = (modelVersion: number, windowRows: number, n: number): VersionCases =>
  versionCases(
    { modelVersion, windowRows, from: '2025-01-01T00:00:00.000Z', to: '2025-01-01T01:00:00.000Z' },
    {
      decision: Array.from({ length: n }, (_, i) => i - n / 2),
      predicted: Array.from({ length: n }, (_, i) => (i >= n / 2 ? 'M' : 'B')),
      actual: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'M' : 'B')),
      probabilities: Array.from({ length: n }, () => null),
    },
  );

function monitorWith(read: (query: ConfirmedCasesQuery) => Promise<VersionCases[]>) {
  let now = Date.UTC(2025, 0, 1, 2);
  const artifacts: Record<number, unknown> = {
    1: { kind: 'mloop-pipeline', formatVersion: 3, svc: { classes: ['B', 'M', 'X'] }, preprocessor: {} },
  };
  const monitor = new LiveCurvesMonitor({
    rank: async (c, ...rest) => rankConfirmedCases(unpackCases(c), ...rest),
    config: parseConfig({ monitor: { liveCurvesMaxRows: 8, liveCurvesMinInterval: '1m', window: '30d' } }),
    store: { predictionReads: { confirmedCases: read } } as unknown as Store,
    predictionLog: { flush: async () => {} } as unknown as PredictionLog,
    registry: {
      serving: { version: 2, artifact: { svc: { classes: ['B', 'M'] }, decisionThreshold: { positive: 'M', threshold: -0.5 } } },
      get: async (version: number) => ({ pipeline: artifacts[version] }),
    } as unknown as ModelRegistry,
    clock: { now: () => new Date(now) },
  });
  return { monitor, advance: (ms: number) => (now += ms) };
}

describe('live curves monitor', () => {
  it('computes at most once per monitor.liveCurvesMinInterval, the reads meanwhile sharing one, and says which cases it ranked', async () => {
    const queries: ConfirmedCasesQuery[] = [];
    const { monitor, advance } = monitorWith(async (query) => {
      queries.push(query);
      return [cases(2, 20, 8), cases(1, 5, 5)];
    });
    const [a, b] = await Promise.all([monitor.latest(), monitor.latest()]);
    expect(queries).toEqual([{ window: { since: new Date(Date.UTC(2025, 0, 1, 2) - 30 * 86_400_000) }, maxRows: 8 }]);
    expect(a(2)).toEqual(b(2));
    expect(a(2).curves?.perClass.map((c) => [c.label, c.support, c.operatingPoint.threshold])).toEqual([['M', 3, -0.5]]);
    expect(a(2).curvesCases).toEqual({ computedAt: '2025-01-01T02:00:00.000Z', maxRows: 8, rows: 8, windowRows: 20, sampled: true, from: '2025-01-01T00:00:00.000Z', to: '2025-01-01T01:00:00.000Z', reason: null, maxCurvePoints: 1000, thinned: false });
    expect(a(1).curves).toBeNull();
    expect(a(1).curvesCases).toMatchObject({ rows: 5, windowRows: 5, sampled: false, reason: expect.stringMatching(/v1 has 3 classes and answered without probabilities/) });
    expect(a(3)).toEqual({ curves: null, curvesCases: expect.objectContaining({ rows: 0, windowRows: 0, reason: expect.stringMatching(/no confirmed case of model v3/) }) });

    advance(59_999);
    await monitor.latest();
    expect(queries).toHaveLength(1);
    advance(1);
    expect((await monitor.latest())(2).curvesCases.computedAt).toBe('2025-01-01T02:01:00.000Z');
    expect(queries).toHaveLength(2);
  });

  it('tries again on the next read after a failed computation', async () => {
    let calls = 0;
    const { monitor } = monitorWith(async () => {
      if (++calls === 1) throw new Error('store unavailable');
      return [];
    });
    await expect(monitor.latest()).rejects.toThrow('store unavailable');
    expect((await monitor.latest())(2).curves).toBeNull();
    expect(calls).toBe(2);
  });
});
