/**
 * Closeness of a ported p-value to the reference tool's, for tests that cannot compare bits.
 */
import { expect } from 'vitest';

/** The smallest normal double: below it a double has fewer significant bits. */
export const MIN_NORMAL = 2 ** -1022;

/**
 * |actual - expected| <= rtol |expected|, except that results in the subnormal range are
 * compared absolutely: SciPy's code and the port round (or flush to 0) differently there, and
 * such p-values mean "zero" to any reader.
 */
export function expectClose(actual: number, expected: number, rtol: number): void {
  if (Math.abs(expected) < MIN_NORMAL) {
    expect(Math.abs(actual - expected)).toBeLessThan(MIN_NORMAL);
    return;
  }
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}
