import { describe, expect, it } from 'vitest';
import { matrixFromRows, takeRows } from '../../src/core/matrix.js';
import { fitMinMaxScaler, MinMaxScalerError, transformMinMax } from '../../src/core/min-max-scaler.js';
import { ALL_GOLDEN_CASES, loadGoldenCase, loadWdbc } from '../helpers/wdbc.js';

const wdbc = loadWdbc();

describe.each(ALL_GOLDEN_CASES)('fitMinMaxScaler on the training split, golden case %s', (name) => {
  const golden = loadGoldenCase(name);
  const xTrain = takeRows(wdbc.x, golden.train_indices);

  it('learns the same attributes as scikit-learn, bit for bit', () => {
    const model = fitMinMaxScaler(xTrain);
    expect(model.dataMin).toEqual(golden.scaler.data_min);
    expect(model.dataMax).toEqual(golden.scaler.data_max);
    expect(model.dataRange).toEqual(golden.scaler.data_range);
    expect(model.scale).toEqual(golden.scaler.scale);
    // toEqual compares numbers with Object.is: as strict as ===, and it also tells -0 from +0.
    expect(model.min).toEqual(golden.scaler.min);
  });

  it('round-trips through JSON and maps the training range onto [0, 1]', () => {
    const model = JSON.parse(JSON.stringify(fitMinMaxScaler(xTrain))) as ReturnType<typeof fitMinMaxScaler>;
    const scaled = transformMinMax(model, xTrain);
    expect(transformMinMax(fitMinMaxScaler(xTrain), xTrain).data).toEqual(scaled.data);
    expect(Math.min(...scaled.data)).toBe(0);
    expect(Math.max(...scaled.data)).toBeLessThanOrEqual(1 + 1e-15);
  });
});

describe('MinMaxScaler edge cases', () => {
  it('gives a constant feature scale 1 instead of dividing by zero', () => {
    const x = matrixFromRows([
      [5, 1],
      [5, 3],
      [5, 2],
    ]);
    const model = fitMinMaxScaler(x);
    expect(model.dataRange).toEqual([0, 2]);
    expect(model.scale).toEqual([1, 0.5]);
    expect(model.min).toEqual([-5, -0.5]);
    expect(Array.from(transformMinMax(model, x).data)).toEqual([0, 0, 0, 1, 0, 0.5]);
  });

  it('treats a range below 10 * eps as constant, as _handle_zeros_in_scale does', () => {
    const eps = Number.EPSILON;
    const model = fitMinMaxScaler(matrixFromRows([[0, 0], [9 * eps, 11 * eps]]));
    expect(model.scale[0]).toBe(1);
    expect(model.scale[1]).toBe(1 / (11 * eps));
  });

  it('keeps +0 for a zero minimum, as 0 - 0 * scale does in numpy', () => {
    const model = fitMinMaxScaler(matrixFromRows([[0], [4]]));
    expect(Object.is(model.min[0], 0)).toBe(true);
  });

  it('applies the fitted range to new data without clipping', () => {
    const model = fitMinMaxScaler(matrixFromRows([[0], [10]]));
    expect(Array.from(transformMinMax(model, matrixFromRows([[-5], [20]])).data)).toEqual([-0.5, 2]);
  });

  it('rejects a feature-count mismatch, non-finite values and an empty fit', () => {
    const model = fitMinMaxScaler(matrixFromRows([[0, 1]]));
    expect(() => transformMinMax(model, matrixFromRows([[1, 2, 3]]))).toThrow(
      /X has 3 features, but the MinMaxScaler was fitted with 2 features/,
    );
    expect(() => fitMinMaxScaler(matrixFromRows([[1, 2], [3, Number.NaN]]))).toThrow(MinMaxScalerError);
    expect(() => fitMinMaxScaler(matrixFromRows([[1, 2], [3, Number.NaN]]))).toThrow(/X\[1, 1\] is NaN/);
    expect(() => transformMinMax(model, matrixFromRows([[Infinity, 0]]))).toThrow(/X\[0, 0\] is Infinity/);
    expect(() => fitMinMaxScaler({ rows: 0, cols: 2, data: new Float64Array(0) })).toThrow(/at least one sample/);
  });
});
