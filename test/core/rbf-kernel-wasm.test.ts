import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { takeRows } from '../../src/core/matrix.js';
import { fitPipeline } from '../../src/core/pipeline.js';
import { createPredictor } from '../../src/core/predictor.js';
import { simdExp, simdKernelAvailable } from '../../src/core/svc/rbf-kernel-simd.js';
import { svcDecisionFunction } from '../../src/core/svc/svc.js';
import { compileRbfKernel, modulePath, moduleSource } from '../../scripts/build-rbf-kernel-wasm.js';
import { numericTask, seenBySvc } from '../helpers/pipelines.js';
import { loadWdbc } from '../helpers/wdbc.js';

/**
 * The WebAssembly kernel (src/core/svc/rbf-kernel.wat) must give the bits of the JavaScript it
 * stands in for: its vector exp those of Math.exp, the predictor's values those of libsvm's plain
 * arithmetic (`svcDecisionFunction`).
 */
const bits = (x: number) => {
  const f = new Float64Array([x]);
  return new BigUint64Array(f.buffer)[0];
};
const fromBits = (b: bigint) => new Float64Array(new BigUint64Array([b]).buffer)[0];

/** Values whose exp differs from Math.exp's, as [x, ours, Math.exp(x)]. */
function expMismatches(x: readonly number[]): number[][] {
  const padded = Float64Array.from(x.length % 2 ? [...x, 0] : x);
  const ours = simdExp(padded);
  return x.flatMap((v, i) => (Object.is(ours[i], Math.exp(v)) ? [] : [[v, ours[i], Math.exp(v)]]));
}

describe('rbf-kernel.wat', () => {
  it('runs here: Node 20 has WebAssembly SIMD', () => {
    expect(simdKernelAvailable()).toBe(true);
  });

  it('is committed as the bytes wabt compiles it to', async () => {
    expect(readFileSync(modulePath, 'utf8')).toBe(moduleSource(await compileRbfKernel()));
  });
});

describe('the vector exp', () => {
  it('is Math.exp around every boundary of fdlibm’s cases and of the vector range, 200 ulps each side', () => {
    // 2⁻²⁸ (1 + x), high words 0x3FD62E43 (k = 0 up to here) and 0x3FF0A2B2 (k = ±1 below), the
    // constant E at 1, the vector range 700, the overflow and underflow thresholds, and 2^k steps.
    const edges = [2 ** -28, fromBits(0x3fd62e43n << 32n), fromBits(0x3ff0a2b2n << 32n), 0.5 * Math.LN2, 1.5 * Math.LN2, 1, 700, 709.782712893384, 745.1332191019411];
    for (let k = 2; k <= 1000; k += 7) edges.push((k + 0.5) * Math.LN2, k * Math.LN2);
    const x: number[] = [];
    for (const edge of edges) {
      for (let d = -200n; d <= 200n; d++) {
        const v = fromBits(bits(edge) + d);
        x.push(v, -v);
      }
    }
    expect(expMismatches(x)).toEqual([]);
  });

  it('is Math.exp on 400,000 seeded values over the whole range, and on ±0, ±∞, NaN and subnormals', () => {
    let s = 20;
    const next = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const x: number[] = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2e-308, -2.2e-308];
    for (let i = 0; i < 100_000; i++) x.push(-next() * 10, (next() - 0.5) * 1500, -Math.exp((next() - 0.5) * 90), (next() - 0.5) * 2 * Math.LN2);
    expect(expMismatches(x)).toEqual([]);
  });
});

describe('the predictor’s two kernels', () => {
  const data = loadWdbc();
  const rows = Array.from({ length: 140 }, (_, k) => (k * 37) % data.x.rows);
  const pipeline = fitPipeline(numericTask({ scaled: true, C: 10, gamma: 0.1, x: takeRows(data.x, rows), y: rows.map((i) => data.y[i]) }));

  it('are WebAssembly SIMD by default and JavaScript when asked', () => {
    expect(createPredictor(pipeline).kernel).toBe('wasm-simd');
    expect(createPredictor(pipeline, { kernel: 'js' }).kernel).toBe('js');
  });

  it('give libsvm’s bits for 1 to 600 rows, rows far outside the training range included (exp below e^-700)', () => {
    // Every third row stretched 60×: squared distances in the tens of thousands, γ·d beyond 700.
    const x = { rows: 600, cols: data.x.cols, data: new Float64Array(600 * data.x.cols) };
    for (let r = 0; r < x.rows; r++) {
      for (let c = 0; c < x.cols; c++) x.data[r * x.cols + c] = data.x.data[(r % data.x.rows) * x.cols + c] * (r % 3 === 0 ? 60 : 1);
    }
    const reference = svcDecisionFunction(pipeline.svc, seenBySvc(pipeline, x));
    expect(reference.filter((d, r) => r % 3 === 0 && Object.is(d, -(0 - pipeline.svc.rho[0]))).length).toBeGreaterThan(0);
    for (const kernel of ['wasm-simd', 'js'] as const) {
      const predictor = createPredictor(pipeline, { kernel });
      for (const n of [1, 2, 3, 255, 256, 257, 513, 600]) {
        const served = predictor.decide(x.data, n);
        expect(Array.from(served).filter((d, i) => !Object.is(d, reference[i])).length).toBe(0);
      }
    }
  });
});
