import { describe, expect, it } from 'vitest';
import { compareCodePoints, sortedLabels } from '../../src/core/label-order.js';

describe('compareCodePoints', () => {
  it('orders strings by code point, as Python does', () => {
    const words = ['😀', 'ｚ', 'a', 'Z', 'é', ''];
    expect([...words].sort(compareCodePoints)).toEqual(['', 'Z', 'a', 'é', 'ｚ', '😀']);
    expect([...words].sort()).not.toEqual([...words].sort(compareCodePoints));
  });

  it('sorts as numpy sorts str arrays, by code point', () => {
    expect(['b', 'B', 'a', '\u{1F600}', '\uFF21'].sort(compareCodePoints)).toEqual([
      'B',
      'a',
      'b',
      '\uFF21',
      '\u{1F600}',
    ]);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('x', 'x')).toBe(0);
  });
});


describe('sortedLabels', () => {
  it('sorts labels that are all numbers by value, as np.unique sorts a numeric column', () => {
    expect(sortedLabels(['10', '2', '4', '2', '-1', '2.5'])).toEqual(['-1', '2', '2.5', '4', '10']);
  });

  it('sorts by code point as soon as one label is not a number the reader would write', () => {
    expect(sortedLabels(['10', '2', 'x'])).toEqual(['10', '2', 'x']);
    // "02" is not how the reader writes the number 2: the column was read as text.
    expect(sortedLabels(['10', '02', '9'])).toEqual(['02', '10', '9']);
    expect(sortedLabels(['M', 'B', 'B'])).toEqual(['B', 'M']);
  });
});
