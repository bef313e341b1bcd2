import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DriftComparer } from '../../src/app/drift-monitor.js';
import { DriftMonitor } from '../../src/app/drift-monitor.js';
import { NotTrainedError } from '../../src/app/errors.js';
import type { ModelRegistry } from '../../src/app/model-registry.js';
import type { PredictionLog } from '../../src/app/prediction-log.js';
import type { ServingModel } from '../../src/app/serving-model.js';
import { parseConfig } from '../../src/config/schema.js';
import type { DriftOptions, ReferenceProfile } from '../../src/core/drift/feature-profile.js';
import { compareToReference, profileFeatures } from '../../src/core/drift/feature-profile.js';
import type { Matrix } from '../../src/core/matrix.js';
import type { Store } from '../../src/store/database.js';
import { openDatabase } from '../../src/store/database.js';
import { tempDir } from '../helpers/fixtures.js';
import { loadWdbc } from '../helpers/wdbc.js';

const wdbc = loadWdbc();
const reference = profileFeatures(wdbc.x, wdbc.featureNames);
const start = Date.UTC(2025, 0, 6, 8);

/** Drift reads against a real store, with a clock the test moves and the statistics counted. */
describe('DriftMonitor', () => {
  let store: Store;
  let now: number;
  let serving: Pick<ServingModel, 'version' | 'reference'> | null;
  let compared: { rows: number; first: number }[];
  let failNext: Error | null;
  let inputs = 0;

  const compare: DriftComparer = async (profile: ReferenceProfile, recent: Matrix, options: DriftOptions) => {
    compared.push({ rows: recent.rows, first: recent.data[0] });
    if (failNext) throw failNext;
    return compareToReference(profile, recent, options);
  };

  function monitor(monitorConfig: Record<string, unknown> = {}): DriftMonitor {
    return new DriftMonitor({
      config: parseConfig({ monitor: { driftMaxRows: 50, driftMinRows: 30, driftMinInterval: '5m', ...monitorConfig } }),
      store,
      predictionLog: { flush: async () => {} } as unknown as PredictionLog,
      registry: { get serving() { return serving; } } as unknown as ModelRegistry,
      clock: { now: () => new Date(now) },
      compare,
    });
  }

  /** `n` predictions at the clock's time, the k-th with the data set's row k as input. */
  async function predict(n: number): Promise<void> {
    await store.predictions.insertMany(
      Array.from({ length: n }, (_, i) => {
        const k = (inputs + i) % wdbc.x.rows;
        return { id: `p-${String(inputs + i).padStart(5, '0')}`, createdAt: new Date(now), modelVersion: 1, route: 'test', input: wdbc.x.data.subarray(k * wdbc.x.cols, (k + 1) * wdbc.x.cols), label: 'B', decision: -1, latencyMs: 0.1 };
      }),
    );
    inputs += n;
  }

  beforeEach(async () => {
    store = await openDatabase({ dataDir: tempDir() });
    now = start;
    serving = { version: 1, reference };
    compared = [];
    failNext = null;
    inputs = 0;
  });
  afterEach(() => store.close());

  it('compares the newest driftMaxRows inputs of the window and says which', async () => {
    await predict(80);
    const drift = await monitor().latest();
    expect(compared).toEqual([{ rows: 50, first: wdbc.x.data[79 * wdbc.x.cols] }]);
    expect(drift).toMatchObject({ computedAt: new Date(start).toISOString(), runId: null, modelVersion: 1, nRecent: 50, minRows: 30, reason: null, window: 'last 7d' });
    expect(drift.sample).toEqual({ kind: 'newest', maxRows: 50, rows: 50, windowRows: 80, from: new Date(start).toISOString(), to: new Date(start).toISOString() });
    expect(drift.report?.nRecent).toBe(50);
  });

  it('serves the stored report until driftMinInterval has passed, then computes one', async () => {
    const drift = monitor();
    await predict(40);
    const first = await drift.latest();
    await predict(40);
    now += 4 * 60_000;
    expect(await drift.latest()).toEqual(first);
    expect(compared).toHaveLength(1);
    now += 61_000;
    const second = await drift.latest();
    expect(compared).toHaveLength(2);
    expect(second.computedAt).toBe(new Date(now).toISOString());
    expect(second.sample).toMatchObject({ rows: 50, windowRows: 80 });
  });

  it('lets requests that arrive during a computation share it', async () => {
    await predict(40);
    const drift = monitor();
    const results = await Promise.all(Array.from({ length: 10 }, () => drift.latest()));
    expect(compared).toHaveLength(1);
    expect(new Set(results.map((r) => r.computedAt)).size).toBe(1);
  });

  it('shares the report between processes through the store', async () => {
    await predict(40);
    const computed = await monitor().latest();
    expect(await monitor().latest()).toEqual(computed);
    expect(compared).toHaveLength(1);
  });

  it('does not retry a failed computation within the interval', async () => {
    await predict(40);
    const drift = monitor();
    failNext = new Error('worker thread died');
    await expect(drift.latest()).rejects.toThrow('worker thread died');
    failNext = null;
    now += 60_000;
    await expect(drift.latest()).rejects.toThrow('worker thread died');
    expect(compared).toHaveLength(1);
    now += 5 * 60_000;
    expect((await drift.latest()).report).not.toBeNull();
    expect(compared).toHaveLength(2);
  });

  it('computes on every check run, and drift reads then return the check run\'s report', async () => {
    await predict(40);
    const drift = monitor();
    const first = await drift.latest();
    now += 1000;
    const checked = await drift.compute(7);
    expect(checked.runId).toBe(7);
    expect(compared).toHaveLength(2);
    expect(await drift.latest()).toEqual(checked);
    expect(first.computedAt).not.toBe(checked.computedAt);
  });

  it('computes at once for a newly promoted version', async () => {
    await predict(40);
    const drift = monitor();
    await drift.latest();
    serving = { version: 2, reference };
    expect((await drift.latest()).modelVersion).toBe(2);
    expect(compared).toHaveLength(2);
  });

  it('stores a report without statistics, with its reason, while there are too few inputs', async () => {
    await predict(12);
    const drift = monitor();
    expect(await drift.latest()).toMatchObject({ report: null, reason: '12 recent inputs, 30 needed', nRecent: 12, sample: { rows: 12, windowRows: 12 } });
    await predict(30);
    expect((await drift.latest()).reason).toBe('12 recent inputs, 30 needed');
    expect(compared).toHaveLength(0);
    serving = { version: 1, reference: null };
    now += 5 * 60_000;
    expect((await drift.latest()).reason).toBe('model v1 has no training profile (trained before drift monitoring covered its features: train a new version to monitor them)');
    serving = null;
    await expect(drift.latest()).rejects.toThrow(NotTrainedError);
  });
});
