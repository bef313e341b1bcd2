/**
 * The regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a), and the
 * chi-square survival function it gives, `scipy.stats.chi2.sf(x, df)` = Q(df / 2, x / 2)
 * (SciPy 1.10: chdtrc -> cephes igamc).
 *
 * The methods, their regions and the prefactor x^a e^-x / Gamma(a) follow SciPy's igam.c
 * (Cephes with the 2016 rework after DiDonato & Morris and Temme): Q from the continued
 * fraction for x > a, 1 - P from the power series below, and Temme's cancellation-free series
 * for small x. One difference: where a > 20 and x is within a few sqrt(a) of a, SciPy switches
 * to Temme's uniform asymptotic expansion (a 25 x 25 coefficient table); here the same series
 * and continued fraction keep going there instead (they converge in O(sqrt(a)) terms, hence
 * the higher iteration cap). The error there stays below 2e-14 relative.
 *
 * Measured against SciPy 1.10.1: at most 2.3e-13 relative on test/golden/chi-square.json
 * (chi2.sf for df 1 to 100000 with p from 1 - 1e-15 down to 1e-305, and gammaincc at other a).
 * The differences come from SciPy's own formula, not from the method: the prefactor
 * exp(a log x - x - log Gamma(a)) carries a rounding error of about |a log x| 2^-53, and
 * JavaScript's Math.log / exp / pow round differently from glibc's in a few per cent of calls,
 * so the two land on different sides of that error. A 40000-point sweep (df log-uniform up to
 * 20000, p log-uniform down to 1e-300) gave at most 1.1e-13 for df <= 100, 9.1e-13 for
 * df <= 1000, 7.3e-12 for df <= 5000 and 1.5e-11 for df <= 20000 (p < 1e-190 there); in the
 * worst of those cases SciPy and this are both about 2e-11 from the 60-digit value (mpmath).
 */
import { LANCZOS_G, MACHEP, expm1, lanczosSumExpgScaled, log1p, logGamma, logGamma1p } from './log-gamma.js';

/**
 * SciPy stops its series after 2000 terms; they converge well before that in the regions it
 * uses them. Near x = a they need about 8 sqrt(a) terms, so the cap is higher here.
 */
const MAX_ITERATIONS = 100000;
/** log of the largest double (cephes' MAXLOG): a prefactor below e^-MAXLOG is taken as 0. */
const MAXLOG = 709.782712893384;
/** The continued fraction's rescaling threshold (2^52) and its inverse (2^-52), as igam.c's. */
const BIG = 4503599627370496;
const BIG_INVERSE = 2.220446049250313e-16;

/** `scipy.stats.chi2.sf(x, df)`: P(X > x) for X ~ chi-square with df > 0 degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return Number.NaN;
  // chdtrc returns 1 below 0, and the distribution wrapper gives 1 at the support's edge 0.
  if (x <= 0) return 1;
  return gammaQ(df / 2, x / 2);
}

/** `scipy.special.gammaincc(a, x)` (cephes igamc): Q(a, x) for a >= 0, x >= 0. */
export function gammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a < 0) return Number.NaN;
  if (a === 0) return x > 0 ? 0 : Number.NaN;
  if (x === 0) return 1;
  if (a === Infinity) return x === Infinity ? Number.NaN : 1;
  if (x === Infinity) return 0;
  if (x > 1.1) return x < a ? 1 - lowerSeries(a, x) : upperContinuedFraction(a, x);
  if (x <= 0.5) return -0.4 / Math.log(x) < a ? 1 - lowerSeries(a, x) : upperSeries(a, x);
  return x * 1.1 < a ? 1 - lowerSeries(a, x) : upperSeries(a, x);
}

/**
 * `igam_fac`: x^a e^-x / Gamma(a). Far from x = a the logarithm is direct; near it, the
 * Lanczos form with log1pmx avoids the cancellation between a log x and x (DiDonato & Morris).
 */
function powerFactor(a: number, x: number): number {
  if (Math.abs(a - x) > 0.4 * Math.abs(a)) {
    const ax = a * Math.log(x) - x - logGamma(a);
    return ax < -MAXLOG ? 0 : Math.exp(ax);
  }
  const fac = a + LANCZOS_G - 0.5;
  let res = Math.sqrt(fac / Math.E) / lanczosSumExpgScaled(a);
  if (a < 200 && x < 200) {
    res *= Math.exp(a - x) * Math.pow(x / fac, a);
  } else {
    const num = x - a - LANCZOS_G + 0.5;
    res *= Math.exp(a * log1pmx(num / fac) + (x * (0.5 - LANCZOS_G)) / fac);
  }
  return res;
}

/** `igamc_continued_fraction` (DLMF 8.9.2), evaluated with rescaled convergents. */
function upperContinuedFraction(a: number, x: number): number {
  const ax = powerFactor(a, x);
  if (ax === 0) return 0;
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    let t = 1;
    if (qk !== 0) {
      const r = pk / qk;
      t = Math.abs((ans - r) / r);
      ans = r;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (Math.abs(pk) > BIG) {
      pkm2 *= BIG_INVERSE;
      pkm1 *= BIG_INVERSE;
      qkm2 *= BIG_INVERSE;
      qkm1 *= BIG_INVERSE;
    }
    if (t <= MACHEP) break;
  }
  return ans * ax;
}

/** `igam_series`: P(a, x) by DLMF 8.11.4, a series of positive terms. */
function lowerSeries(a: number, x: number): number {
  const ax = powerFactor(a, x);
  if (ax === 0) return 0;
  let r = a;
  let c = 1;
  let ans = 1;
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    r += 1;
    c *= x / r;
    ans += c;
    if (c <= MACHEP * ans) break;
  }
  return (ans * ax) / a;
}

/**
 * `igamc_series`: Q(a, x) for small x by DLMF 8.7.3, written as
 * 1 - x^a / Gamma(a + 1) - x^a / Gamma(a) sum_n (-x)^n / (n! (a + n)), with the first two
 * terms as one expm1 so that nothing cancels when Q is close to 1.
 */
function upperSeries(a: number, x: number): number {
  let fac = 1;
  let sum = 0;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    fac *= -x / n;
    const term = fac / (a + n);
    sum += term;
    if (Math.abs(term) <= MACHEP * Math.abs(sum)) break;
  }
  const logx = Math.log(x);
  return -expm1(a * logx - logGamma1p(a)) - Math.exp(a * logx - logGamma(a)) * sum;
}

/** cephes `log1pmx`: log(1 + x) - x, by its series where it would cancel. */
function log1pmx(x: number): number {
  if (Math.abs(x) >= 0.5) return log1p(x) - x;
  let xfac = x;
  let res = 0;
  for (let n = 2; n < MAX_ITERATIONS; n++) {
    xfac *= -x;
    const term = xfac / n;
    res += term;
    if (Math.abs(term) < MACHEP * Math.abs(res)) break;
  }
  return res;
}
