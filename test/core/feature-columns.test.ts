import { describe, expect, it } from 'vitest';
import { columnsByName, MissingFeaturesError } from '../../src/core/feature-columns.js';
import { matrixFromRows } from '../../src/core/matrix.js';

describe('columnsByName', () => {
  const x = matrixFromRows([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it('hands the matrix back when the orders agree', () => {
    expect(columnsByName(x, ['a', 'b', 'c'], ['a', 'b', 'c'])).toBe(x);
  });

  it("reorders and selects columns by name, as pandas' df[wanted]", () => {
    expect(columnsByName(x, ['a', 'b', 'c'], ['c', 'a'])).toEqual(matrixFromRows([[3, 1], [6, 4]]));
  });

  it('names the features the data lacks', () => {
    expect(() => columnsByName(x, ['a', 'b', 'c'], ['a', 'd', 'e'])).toThrow(new MissingFeaturesError(['d', 'e']));
    expect(new MissingFeaturesError(['d', 'e']).message).toBe("the data has no features 'd', 'e'");
  });
});
