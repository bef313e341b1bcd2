/**
 * The survival function of the one-sided Kolmogorov-Smirnov statistic D+_n, ported from
 * `scipy.special.smirnov(n, x)` (cephes/kolmogorov.c, `_smirnov3`, as SciPy 1.10 ships it).
 * SciPy's two-sided `kstwo.sf` falls back to 2 * smirnov for large statistics, so the
 * asymptotic branch of `ks_2samp` needs it.
 *
 * The sum (Birnbaum & Tingey; Smirnov 1944) is
 *   sf = x * sum_{v=0}^{floor(n(1-x))} C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v),
 * with each term kept in double-double and its binomial coefficient as a mantissa and a
 * separate exponent, since C(n, v) overflows a double long before n does. Only the survival
 * function is computed; the C code's CDF and PDF are left out.
 */
import type { DoubleDouble } from '../stats/double-double.js';
import {
  DD_ONE,
  DD_ZERO,
  dd,
  ddAdd,
  ddAddNumber,
  ddDiv,
  ddFloor,
  ddFrexp,
  ddFromProduct,
  ddFromSum,
  ddLdexp,
  ddMul,
  ddMulNumber,
  ddSub,
} from '../stats/double-double.js';

/** Above this n, cephes uses the approximation exp(-(6nx + 1)^2 / 18n) instead of the sum. */
const SMIRNOV_MAX_COMPUTE_N = 1000000;
/** The upper (alternating) sum is used only for at most this many terms and n at least the next. */
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
/** cephes' MINLOG with denormals enabled: log(2^-1075); exp of anything below is 0. */
const MINLOG = -745.1332191019412;
/** Keeps both halves of a double-double normal while a power is built up in pieces. */
const MAX_EXPONENT = 960;
const LN2 = 0.6931471805599453;

interface Scaled {
  readonly mantissa: DoubleDouble;
  readonly exponent: number;
}

/** `scipy.special.smirnov(n, x)`: P(D+_n > x) for an integer n >= 1 and 0 <= x <= 1. */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  // floor(n * x) and its fractional part exactly: a rounded n * x can land on the wrong
  // side of an integer and change which terms the sum has.
  const nxD = ddFromProduct(n, x);
  const nxFloorD = ddFloor(nxD);
  let alpha = ddSub(nxD, nxFloorD).hi;
  let nxfl = Math.trunc(nxFloorD.hi);
  if (alpha === 1) {
    nxfl += 1;
    alpha = 0;
  }
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  // For alpha = 0 the last term of either sum is zero, and the C code leaves it out.
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    // x <= 1/n: the sum has the single term x (1 + x)^(n-1) on the CDF side.
    return 1 - x * powDD(ddFromSum(1, x), n - 1).hi;
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return powDD(ddFromSum(1, -x), n).hi;
  if (n > SMIRNOV_MAX_COMPUTE_N) return Math.exp(-Math.pow(6 * n * x + 1, 2) / 18 / n);

  const nUpperTerms = n - n1mxceil + 1;
  const useUpperSum =
    (nUpperTerms <= 1 && x < 0.5) ||
    (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  let start = 0;
  let step = 1;
  let nTerms = n1mxfl + 1;
  let aj: DoubleDouble;
  if (useUpperSum) {
    start = n;
    step = -1;
    nTerms = n - n1mxceil + 1;
    aj = pow4(1, x, 1, 0, n - 1);
  } else {
    aj = ddDiv(pow4(1, -x, 1, 0, n), dd(x));
  }
  let ajSum = ddAdd(DD_ZERO, aj);
  const vmid = Math.floor(n / 2);
  let binomial = updateBinomial({ mantissa: DD_ONE, exponent: 0 }, n, 0);

  for (let j = 1; j < nTerms; j++) {
    const v = start + j * step;
    aj = term(n, x, v, binomial);
    if (Number.isFinite(aj.hi) && aj.hi !== 0) ajSum = ddAdd(ajSum, aj);
    if (aj.hi !== 0) {
      if (4 * (nTerms - j) * Math.abs(aj.hi) < Number.EPSILON * ajSum.hi && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    binomial = updateBinomial(binomial, n, j);
  }
  const prob = ddMulNumber(ajSum, x).hi;
  return clip01(step < 0 ? 1 - prob : prob);
}

function clip01(p: number): number {
  return p < 0 ? 0 : Math.min(p, 1);
}

/** A_v = C(n, v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1), from the binomial's mantissa and exponent. */
function term(n: number, x: number, v: number, binomial: Scaled): DoubleDouble {
  const t2 = pow2Scaled(ddAddNumber(ddDiv(dd(n - v), dd(n)), -x), n - v);
  const t1 = pow2Scaled(ddAddNumber(ddDiv(dd(v), dd(n)), x), v - 1);
  const product = ddMul(ddMul(t1.mantissa, t2.mantissa), binomial.mantissa);
  return ddLdexp(product, binomial.exponent + t1.exponent + t2.exponent);
}

/** C(n, j+1) from C(n, j): times (n - j) / (j + 1), renormalised to a mantissa in [0.5, 1). */
function updateBinomial(c: Scaled, n: number, j: number): Scaled {
  const ratio = ddDiv(dd(n - j), dd(j + 1));
  const { mantissa, exponent } = ddFrexp(ddMul(c.mantissa, ratio));
  return { mantissa, exponent: c.exponent + exponent };
}

/**
 * a^m for a double-double a: pow() on the high part, corrected for the low part to first or
 * second order (cephes trades the full double-double power for speed the same way).
 */
function powDD(a: DoubleDouble, m: number): DoubleDouble {
  if (m <= 0) {
    if (m === 0) return DD_ONE;
    return ddDiv(DD_ONE, powDD(a, -m));
  }
  if (a.hi === 0) return DD_ZERO;
  const ans = Math.pow(a.hi, m);
  const r = a.lo / a.hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) {
      adj += m * r * (((m - 1) / 2) * r);
    } else {
      adj = Math.expm1(m * Math.log1p(r));
    }
  }
  return ddFromSum(ans, ans * adj);
}

/** ((a + b) / (c + d))^m in double-double (cephes' pow4_D). */
function pow4(a: number, b: number, c: number, d: number, m: number): DoubleDouble {
  if (m <= 0) {
    if (m === 0) return DD_ONE;
    return pow4(c, d, a, b, -m);
  }
  const num = ddFromSum(a, b);
  const den = ddFromSum(c, d);
  if (num.hi === 0) return den.hi === 0 ? { hi: Number.NaN, lo: Number.NaN } : DD_ZERO;
  if (den.hi === 0) return num.hi < 0 ? { hi: -Infinity, lo: 0 } : { hi: Infinity, lo: 0 };
  return powDD(ddDiv(num, den), m);
}

/** The C code's nextPowerOf2: the power of two at or above x, for a positive x. */
function nextPowerOf2(x: number): number {
  const q = x * 2 ** (1 - 53);
  let l = Math.abs(q + x);
  if (l === 0) {
    l = Math.abs(x);
  } else {
    const lint = Math.trunc(l);
    if (lint === l) l = lint;
  }
  return l;
}

/** a^m as mantissa * 2^exponent, splitting the power so that no partial result underflows. */
function pow2Scaled(a: DoubleDouble, m: number): Scaled {
  if (m <= 0) {
    if (m === 0) return { mantissa: DD_ONE, exponent: 0 };
    const inner = pow2Scaled(a, -m);
    const inverted = ddFrexp(ddDiv(DD_ONE, inner.mantissa));
    return { mantissa: inverted.mantissa, exponent: -inner.exponent + inverted.exponent };
  }
  const { mantissa: y, exponent: yE } = ddFrexp(a);
  if (m === 1) return { mantissa: y, exponent: yE };
  let maxExpt = MAX_EXPONENT;
  if ((m * (y.hi - 1)) / y.hi < -MAX_EXPONENT * LN2) {
    const lg2y = Math.log(y.hi) / LN2;
    if (m * lg2y <= -MAX_EXPONENT) {
      maxExpt = Math.trunc(nextPowerOf2(-MAX_EXPONENT / lg2y + 1) / 2);
    }
  }
  if (m <= maxExpt) {
    const r = ddFrexp(powDD(y, m));
    return { mantissa: r.mantissa, exponent: r.exponent + m * yE };
  }
  const q = Math.trunc(m / maxExpt);
  const rem = m % maxExpt;
  const y2r = pow2Scaled(y, rem);
  const y2m = pow2Scaled(y, maxExpt);
  const y2mq = pow2Scaled(y2m.mantissa, q);
  const r = ddFrexp(ddMul(y2r.mantissa, y2mq.mantissa));
  return {
    mantissa: r.mantissa,
    exponent: r.exponent + y2mq.exponent + y2m.exponent * q + y2r.exponent + m * yE,
  };
}
