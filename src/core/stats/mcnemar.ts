/**
 * The exact McNemar test of two classifiers scored on the same rows: of the rows exactly one
 * model got right, b went to model A and c to model B; under the null hypothesis (equal error
 * rates) each such row is a fair coin, so min(b, c) is Binomial(b + c, 1/2) in its lower tail.
 * The two-sided p-value is min(1, 2 * P(X <= min(b, c))), which is statsmodels'
 * `mcnemar(table, exact=True)` (SciPy's `binom.cdf` times 2, capped at 1).
 *
 * The binomial CDF is summed term by term in double-double arithmetic with a separate binary
 * exponent, so neither C(n, k) nor 2^-n overflows or underflows on the way: the sum carries
 * about 30 significant digits and the p-value is the double nearest to the exact rational
 * (checked against fractions.Fraction in test/golden/mcnemar.json). SciPy's `binom.cdf`
 * (Boost's incomplete beta) is itself off by up to about 2e-13 relative for b + c in the
 * thousands, so the two agree to that, not to the bit. Time grows linearly with min(b, c):
 * about 10 ms for 10^4 and 0.7 s for 10^6 on the development machine.
 */
import type { DoubleDouble } from './double-double.js';
import { DD_ONE, ddAdd, ddDiv, ddLdexp, ddMulNumber, ddSub } from './double-double.js';

export interface McNemarResult {
  /** Rows only model A got right. */
  readonly b: number;
  /** Rows only model B got right. */
  readonly c: number;
  /** min(b, c), the exact test's statistic (statsmodels' `statistic`). */
  readonly statistic: number;
  /** 1 when b + c = 0: with no discordant row there is no evidence either way. */
  readonly pValue: number;
}

export class McNemarError extends Error {
  override readonly name = 'McNemarError';
}

/** The exact McNemar test from the two discordant counts. */
export function mcnemarExact(b: number, c: number): McNemarResult {
  for (const [name, v] of [['b', b], ['c', c]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new McNemarError(`${name} must be a count (a non-negative integer), got ${v}`);
  }
  const k = Math.min(b, c);
  // 2 * CDF in double-double, capped at 1 before the one rounding to a double.
  const twiceCdf = ddLdexp(lowerTailHalf(k, b + c), 1);
  const pValue = twiceCdf.hi >= 1 ? 1 : twiceCdf.hi;
  return { b, c, statistic: k, pValue };
}

/**
 * The exact McNemar test from paired outcomes: correctA[i] and correctB[i] say whether model A
 * and model B classified row i correctly.
 */
export function mcnemarFromOutcomes(correctA: readonly boolean[], correctB: readonly boolean[]): McNemarResult {
  if (correctA.length !== correctB.length) {
    throw new McNemarError(`paired outcomes differ in length: ${correctA.length} for A, ${correctB.length} for B`);
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < correctA.length; i++) {
    if (correctA[i] && !correctB[i]) b++;
    else if (correctB[i] && !correctA[i]) c++;
  }
  return mcnemarExact(b, c);
}

/**
 * `scipy.stats.binom.cdf(k, n, 0.5)`: P(X <= k) for X ~ Binomial(n, 1/2), the nearest double
 * to the exact value (k is floored, as SciPy does).
 */
export function binomialCdfHalf(k: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new McNemarError(`n must be a non-negative integer, got ${n}`);
  if (Number.isNaN(k)) throw new McNemarError('k is NaN');
  const kk = Math.floor(k);
  if (kk < 0) return 0;
  if (kk >= n) return 1;
  // Sum the shorter tail: P(X <= k) = 1 - P(X <= n - k - 1) by symmetry. Both tails are then
  // sums of terms that grow towards the middle, and the subtraction from 1 leaves at least 1/2.
  if (2 * kk > n) return ddSub(DD_ONE, lowerTailHalf(n - kk - 1, n)).hi;
  return lowerTailHalf(kk, n).hi;
}

/** Rescale once a running value passes 2^RESCALE_BITS (exact: a power of two). */
const RESCALE_BITS = 600;
const RESCALE_LIMIT = 2 ** RESCALE_BITS;

/**
 * sum_{i <= k} C(n, i) / 2^n in double-double, for 0 <= k, by Horner's rule from the largest
 * term down: with r_i = C(n, i - 1) / C(n, i) = i / (n - i + 1),
 *   sum = C(n, k) (1 + r_k (1 + r_(k-1) (... (1 + r_1)))).
 * Writing the nested factor h_i = 1 + r_i h_(i-1) as P_i / Q_i with Q_i = Q_(i-1) (n - i + 1)
 * and P_i = Q_i + P_(i-1) i makes Q_k = n (n - 1) ... (n - k + 1), the numerator of C(n, k), so
 * sum = P_k / (k! 2^n): only products by integers and sums until one division at the end.
 * P, Q and k! each carry a binary exponent, so nothing overflows, and the division by 2^n is an
 * exponent change (exact unless the result is subnormal).
 */
function lowerTailHalf(k: number, n: number): DoubleDouble {
  if (k >= n) return DD_ONE;
  let p: DoubleDouble = DD_ONE;
  let q: DoubleDouble = DD_ONE;
  let factorial: DoubleDouble = DD_ONE;
  let exponent = -n;
  for (let i = 1; i <= k; i++) {
    q = ddMulNumber(q, n - i + 1);
    p = ddAdd(q, ddMulNumber(p, i));
    factorial = ddMulNumber(factorial, i);
    // P >= Q (the nested factor is at least 1), so P decides when both are rescaled.
    if (p.hi > RESCALE_LIMIT) {
      p = ddLdexp(p, -RESCALE_BITS);
      q = ddLdexp(q, -RESCALE_BITS);
      exponent += RESCALE_BITS;
    }
    if (factorial.hi > RESCALE_LIMIT) {
      factorial = ddLdexp(factorial, -RESCALE_BITS);
      exponent -= RESCALE_BITS;
    }
  }
  return ddLdexp(ddDiv(p, factorial), exponent);
}
