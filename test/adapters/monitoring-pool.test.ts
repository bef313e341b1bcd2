import { afterAll, describe, expect, it } from 'vitest';
import { MonitoringPool } from '../../src/adapters/monitoring-pool.js';
import { compareToReference, DEFAULT_DRIFT_OPTIONS, profileFeatures } from '../../src/core/drift/feature-profile.js';
import { takeRows } from '../../src/core/matrix.js';
import { rankConfirmedCases } from '../../src/core/metrics/live-curves.js';
import { versionCases } from '../helpers/version-cases.js';
import { loadWdbc } from '../helpers/wdbc.js';

/** The drift statistics and the live curves on the worker thread: the very values the calling thread would compute. */
describe('MonitoringPool', () => {
  const pool = new MonitoringPool();
  afterAll(() => pool.close());
  const data = loadWdbc();

  it('compares recent inputs on a SharedArrayBuffer with the training profile, as compareToReference does', async () => {
    const reference = profileFeatures(takeRows(data.x, Array.from({ length: 400 }, (_, i) => i)), data.featureNames);
    const recent = takeRows(data.x, Array.from({ length: 169 }, (_, i) => 400 + i));
    const shared = new Float64Array(new SharedArrayBuffer(recent.data.byteLength));
    shared.set(recent.data);
    const options = { ...DEFAULT_DRIFT_OPTIONS, driftShare: 0.2 };
    const pooled = await pool.compare(reference, { rows: recent.rows, cols: recent.cols, data: shared }, options);
    expect(pooled).toEqual(compareToReference(reference, recent, options));
    expect(pooled.nRecent).toBe(169);
  });

  it('ranks confirmed cases as rankConfirmedCases does', async () => {
    const n = 300;
    const cases = {
      decision: Array.from({ length: n }, (_, i) => Math.sin(i) + (i % 3 === 0 ? 0.8 : 0)),
      predicted: Array.from({ length: n }, (_, i) => (Math.sin(i) + (i % 3 === 0 ? 0.8 : 0) > 0 ? 'M' : 'B')),
      actual: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'M' : 'B')),
      probabilities: Array.from({ length: n }, () => null),
    };
    const meta = { modelVersion: 1, windowRows: n, from: '2025-01-01T00:00:00.000Z', to: '2025-01-01T01:00:00.000Z' };
    expect(await pool.rankCases(versionCases(meta, cases), ['B', 'M'], 'B', 0.25)).toEqual(rankConfirmedCases(cases, ['B', 'M'], 'B', 0.25));
    expect(await pool.rankCases(versionCases(meta, { decision: [], predicted: [], actual: [], probabilities: [] }), ['B', 'M'], 'M', 0)).toBe('no confirmed cases');
  });

  it('passes the core errors on', async () => {
    const reference = profileFeatures(takeRows(data.x, [0, 1, 2]), data.featureNames);
    await expect(pool.compare(reference, { rows: 1, cols: data.x.cols, data: data.x.data.slice(0, data.x.cols) }, DEFAULT_DRIFT_OPTIONS)).rejects.toThrow(/at least 2/);
  });
});
