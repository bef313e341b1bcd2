import { describe, expect, it } from 'vitest';
import { fitPipeline } from '../../src/core/pipeline.js';
import { takeRows } from '../../src/core/matrix.js';
import { numericTask, seenBySvc } from '../helpers/pipelines.js';
import { createPredictor, predictorKernels } from '../../src/core/predictor.js';
import { svcDecisionFunction } from '../../src/core/svc/svc.js';
import { loadWdbc } from '../helpers/wdbc.js';

/**
 * The serving predictor interleaves support vectors in blocks of eight and pads the last block with
 * zero-coefficient vectors; its decision values must still be the very bits of the plain libsvm
 * arithmetic (`svcDecisionFunction` after the scaler), whatever the number of support vectors, in
 * WebAssembly SIMD and in JavaScript alike.
 */
describe('createPredictor', () => {
  const data = loadWdbc();
  const sizes = [12, 20, 30, 44, 60, 90, 140, 200];
  it.each(sizes)('is bit-identical to svcDecisionFunction when fitted on %i rows', (n) => {
    const rows = Array.from({ length: n }, (_, k) => (k * 37) % data.x.rows);
    const y = rows.map((i) => data.y[i]);
    for (const scaled of [true, false]) {
      const pipeline = fitPipeline(numericTask({ scaled, C: 10, gamma: scaled ? 0.1 : 'scale', x: takeRows(data.x, rows), y }));
      const reference = svcDecisionFunction(pipeline.svc, seenBySvc(pipeline, data.x));
      for (const kernel of predictorKernels) {
        const served = createPredictor(pipeline, { kernel }).decide(data.x.data, data.x.rows);
        const mismatches = Array.from(served).filter((d, i) => !Object.is(d, reference[i])).length;
        expect(mismatches).toBe(0);
      }
    }
  });

  it('covers every support-vector count modulo 8', () => {
    const remainders = new Set(
      sizes.map((n) => {
        const rows = Array.from({ length: n }, (_, k) => (k * 37) % data.x.rows);
        return fitPipeline(numericTask({ scaled: true, C: 10, gamma: 0.1, x: takeRows(data.x, rows), y: rows.map((i) => data.y[i]) })).svc.svCoef.length % 8;
      }),
    );
    expect(remainders.size).toBeGreaterThanOrEqual(5);
  });
});
