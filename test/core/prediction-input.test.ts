import { describe, expect, it } from 'vitest';
import { numericFeatures } from '../../src/core/feature-spec.js';
import { featureReadersOf, packRows } from '../../src/core/prediction-input.js';
import { fitColumnTransformer } from '../../src/core/preprocessing/column-transformer.js';

const features = [...numericFeatures(['radius', 'texture']), { name: 'site', kind: 'categorical' as const, categories: ['left', 'right'] }];
const fitted = () => fitColumnTransformer({ impute: 'mean', scaled: true }, features, { rows: 2, cols: 3, data: new Float64Array([1, 2, 0, 3, 4, 1]) });

describe('packRows and the readers of a model', () => {
  it('builds a model’s readers once, not per request', () => {
    const preprocessor = fitted();
    const first = featureReadersOf(preprocessor);
    packRows([[1, 2, 'left']], preprocessor, 10);
    expect(featureReadersOf(preprocessor)).toBe(first);
    expect(featureReadersOf(fitted())).not.toBe(first);
  });

  it('packs with the cached readers as with fresh ones', () => {
    const preprocessor = fitted();
    const rows = [
      [1, 2, 'left'],
      { radius: 3, texture: null, site: 'right' },
      [5, 6, 'elsewhere'],
    ];
    const once = packRows(rows, preprocessor, 10);
    const again = packRows(rows, preprocessor, 10);
    expect(Array.from(again.x.data)).toEqual(Array.from(once.x.data));
    expect(again.notes).toEqual(once.notes);
    expect(() => packRows([[1, 'x', 'left']], preprocessor, 10)).toThrow(/row 0, feature "texture": expected a finite number, got the string "x"/);
  });
});
