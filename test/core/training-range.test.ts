import { describe, expect, it } from 'vitest';
import { fitColumnTransformer } from '../../src/core/preprocessing/column-transformer.js';
import { isOutOfRange, OUT_OF_RANGE_MARGIN, outOfRangeValues, trainingRanges } from '../../src/core/training-range.js';

describe('training ranges and out-of-range values', () => {
  it('flags a value only beyond the margin, on either side; missing values never', () => {
    const range = { min: 10, max: 20 };
    expect(OUT_OF_RANGE_MARGIN).toBe(0.1);
    expect(isOutOfRange(9, range)).toBe(false);
    expect(isOutOfRange(21, range)).toBe(false);
    expect(isOutOfRange(8.9, range)).toBe(true);
    expect(isOutOfRange(21.1, range)).toBe(true);
    expect(isOutOfRange(-5, range)).toBe(true);
    expect(isOutOfRange(1e9, range)).toBe(true);
    expect(isOutOfRange(Number.NaN, range)).toBe(false);
  });

  it('lists the row features outside their range, with the range', () => {
    const ranges = [{ min: 0, max: 1 }, null, { min: 5, max: 6 }];
    const data = Float64Array.from([0.5, 99, 5.5, -5, 99, 1e9]);
    expect(outOfRangeValues(data, 0, 3, ranges, ['a', 'b', 'c'])).toEqual([]);
    expect(outOfRangeValues(data, 1, 3, ranges, ['a', 'b', 'c'])).toEqual([
      { feature: 'a', value: -5, min: 0, max: 1 },
      { feature: 'c', value: 1e9, min: 5, max: 6 },
    ]);
  });

  it('takes the range from the profile, else from the fitted scaler; none for categories or an unscaled model', () => {
    const features = [
      { name: 'x', kind: 'numeric' as const },
      { name: 'colour', kind: 'categorical' as const, categories: ['blue', 'red'] },
      { name: 'y', kind: 'numeric' as const },
    ];
    const x = { rows: 3, cols: 3, data: Float64Array.from([1, 0, 10, 3, 1, 30, 2, 0, 20]) };
    const scaled = fitColumnTransformer({ impute: 'mean', scaled: true }, features, x);
    expect(trainingRanges(scaled, null)).toEqual([{ min: 1, max: 3 }, null, { min: 10, max: 30 }]);
    expect(trainingRanges(scaled, [{ name: 'y', min: -1, max: 1 }])).toEqual([{ min: 1, max: 3 }, null, { min: -1, max: 1 }]);
    const unscaled = fitColumnTransformer({ impute: 'mean', scaled: false }, features, x);
    expect(trainingRanges(unscaled, null)).toEqual([null, null, null]);
  });
});
