import { describe, expect, it } from 'vitest';
import { takeRows } from '../../src/core/matrix.js';
import { fitMinMaxScaler, transformMinMax } from '../../src/core/min-max-scaler.js';
import { FitWorkspace } from '../../src/core/svc/fit-workspace.js';
import { RbfQMatrix } from '../../src/core/svc/rbf-q-matrix.js';
import { loadWdbc } from '../helpers/wdbc.js';

/**
 * The Q matrix computes its rows several dot products at a time over an interleaved copy of the
 * samples, and caches them; every value must still be the very float32 of libsvm's plain
 * `y[a] * y[b] * exp(-gamma * (|a|² + |b|² - 2 a·b))`, one dot product summed over the features in
 * order, whatever the number of samples, the row asked for and the cache size.
 */
describe('RbfQMatrix', () => {
  const data = loadWdbc();
  const scaled = transformMinMax(fitMinMaxScaler(data.x), data.x);

  /** `K(a, b)` as a double, the arithmetic of libsvm's `kernel_rbf` in its order. */
  function kernel(x: Float64Array, cols: number, gamma: number, a: number, b: number): number {
    const dot = (p: number, q: number) => {
      let sum = 0;
      for (let k = 0; k < cols; k++) sum += x[p * cols + k] * x[q * cols + k];
      return sum;
    };
    return Math.exp(-gamma * (dot(a, a) + dot(b, b) - 2 * dot(a, b)));
  }

  it.each([1, 2, 3, 4, 5, 7, 8, 13, 30, 101])('gives the plain libsvm values for %i samples', (l) => {
    const rows = Array.from({ length: l }, (_, k) => (k * 37) % scaled.rows);
    const x = takeRows(scaled, rows);
    const y = Int8Array.from(rows, (i) => (data.y[i] === 'B' ? 1 : -1));
    for (const gamma of [1, 0.1, 0.001]) {
      const q = new RbfQMatrix(x.data, x.cols, y, gamma);
      let mismatches = 0;
      for (let a = 0; a < l; a++) {
        const row = q.row(a);
        expect(row.length).toBe(l);
        for (let b = 0; b < l; b++) if (!Object.is(row[b], Math.fround(y[a] * y[b] * kernel(x.data, x.cols, gamma, a, b)))) mismatches++;
        if (!Object.is(q.diagonal[a], kernel(x.data, x.cols, gamma, a, a))) mismatches++;
      }
      expect(mismatches).toBe(0);
    }
  });

  it('gives the same rows when the cache holds only a few', () => {
    const l = 50;
    const rows = Array.from({ length: l }, (_, k) => (k * 11) % scaled.rows);
    const x = takeRows(scaled, rows);
    const y = Int8Array.from(rows, (i) => (data.y[i] === 'B' ? 1 : -1));
    const full = new RbfQMatrix(x.data, x.cols, y, 0.1);
    const small = new RbfQMatrix(x.data, x.cols, y, 0.1, 3 * 4 * l);
    const order = [0, 1, 2, 3, 0, 4, 1, 49, 48, 0, 2, 3, 4, 5, 6, 0, 49];
    for (const a of order) expect(Array.from(small.row(a))).toEqual(Array.from(full.row(a)));
  });

  it('gives the same rows in reused memory, whatever an earlier matrix left in it', () => {
    const workspace = new FitWorkspace();
    for (const [l, gamma, slots] of [[60, 1, 60], [45, 0.1, 45], [60, 0.01, 5], [30, 1, 30]] as const) {
      const rows = Array.from({ length: l }, (_, k) => (k * 17 + l) % scaled.rows);
      const x = takeRows(scaled, rows);
      const y = Int8Array.from(rows, (i) => (data.y[i] === 'B' ? 1 : -1));
      const fresh = new RbfQMatrix(x.data, x.cols, y, gamma);
      const reused = new RbfQMatrix(x.data, x.cols, y, gamma, slots * 4 * l, workspace);
      for (let n = 0; n < 3 * l; n++) {
        const a = (n * 7) % l;
        expect(Array.from(reused.row(a))).toEqual(Array.from(fresh.row(a)));
      }
    }
  });

  it.each([2, 3, 7])('keeps the last two rows asked for intact with a cache of %i rows', (slots) => {
    const l = 40;
    const rows = Array.from({ length: l }, (_, k) => (k * 13) % scaled.rows);
    const x = takeRows(scaled, rows);
    const y = Int8Array.from(rows, (i) => (data.y[i] === 'B' ? 1 : -1));
    const full = new RbfQMatrix(x.data, x.cols, y, 1);
    const small = new RbfQMatrix(x.data, x.cols, y, 1, slots * 4 * l);
    let previous = { a: 0, row: small.row(0) };
    let seed = 7;
    for (let n = 0; n < 400; n++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const a = n % 5 === 0 ? previous.a : seed % (slots + 3);
      const row = small.row(a);
      expect(Array.from(row)).toEqual(Array.from(full.row(a)));
      expect(Array.from(previous.row)).toEqual(Array.from(full.row(previous.a)));
      previous = { a, row };
    }
  });
});
