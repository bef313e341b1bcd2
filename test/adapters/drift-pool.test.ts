import { afterAll, describe, expect, it } from 'vitest';
import { DriftPool } from '../../src/adapters/drift-pool.js';
import { compareToReference, DEFAULT_DRIFT_OPTIONS, profileFeatures } from '../../src/core/drift/feature-profile.js';
import { takeRows } from '../../src/core/matrix.js';
import { loadWdbc } from '../helpers/wdbc.js';

/** The drift statistics on the worker thread: the very report the calling thread would compute. */
describe('DriftPool', () => {
  const pool = new DriftPool();
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

  it('passes the core errors on', async () => {
    const reference = profileFeatures(takeRows(data.x, [0, 1, 2]), data.featureNames);
    await expect(pool.compare(reference, { rows: 1, cols: data.x.cols, data: data.x.data.slice(0, data.x.cols) }, DEFAULT_DRIFT_OPTIONS)).rejects.toThrow(/at least 2/);
  });
});
