/**
 * The gamma-function helpers SciPy 1.10's incomplete gamma (cephes igam.c) relies on, ported
 * from its cephes copy so that the chi-square p-value performs SciPy's arithmetic: `lgam`
 * (gamma.c), `lgam1p`, `log1p` and `expm1` (unity.c; SciPy's cephes defines its own log1p and
 * expm1 instead of the C library's), and the Lanczos sum (lanczos.c, from Boost). Only positive
 * arguments are needed here, so lgam's reflection branch for x < -34 is left out.
 *
 * The constants are cephes' decimal literals written as the shortest decimals of the same
 * doubles (the C compiler and JavaScript round a literal alike), so no bit changes.
 */

/** log(sqrt(2 pi)), as cephes writes it. */
const LS2PI = 0.9189385332046728;
/** Euler's constant, SCIPY_EULER. */
const EULER = 0.5772156649015329;

/** Stirling-series coefficients for x >= 13 (gamma.c's A). */
const LGAM_A = [
  0.0008116141674705085, -0.0005950619042843014, 0.0007936503404577169,
  -0.002777777777300997, 0.08333333333333319,
];
/** log Gamma(2 + x) = x B(x) / C(x) for 0 <= x < 1 (gamma.c's B and C, C's leading 1 implied). */
const LGAM_B = [
  -1378.2515256912086, -38801.631513463784, -331612.9927388712,
  -1162370.974927623, -1721737.0082083966, -853555.6642457654,
];
const LGAM_C = [
  -351.81570143652345, -17064.210665188115, -220528.59055385445,
  -1139334.4436798252, -2532523.0717758294, -2018891.4143353277,
];
/** Beyond this lgam overflows (MAXLGM). */
const MAX_LGAM = 2.556348e305;

/** polevl: coef[0] x^N + ... + coef[N], by Horner's rule. */
export function polevl(x: number, coef: readonly number[]): number {
  let ans = coef[0];
  for (let i = 1; i < coef.length; i++) ans = ans * x + coef[i];
  return ans;
}

/** p1evl: as polevl with an implied leading coefficient 1. */
function p1evl(x: number, coef: readonly number[]): number {
  let ans = x + coef[0];
  for (let i = 1; i < coef.length; i++) ans = ans * x + coef[i];
  return ans;
}

/** `lgam(x)`: log |Gamma(x)| for x > 0 (NaN stays NaN, +Infinity stays +Infinity). */
export function logGamma(x: number): number {
  if (!Number.isFinite(x)) return x;
  if (x <= 0) return Number.NaN;
  if (x < 13) {
    // Shift into [2, 3) with Gamma(x + 1) = x Gamma(x), keeping the product of the shifts.
    let z = 1;
    let p = 0;
    let u = x;
    while (u >= 3) {
      p -= 1;
      u = x + p;
      z *= u;
    }
    while (u < 2) {
      z /= u;
      p += 1;
      u = x + p;
    }
    if (u === 2) return Math.log(z);
    p -= 2;
    const w = x + p;
    return Math.log(z) + (w * polevl(w, LGAM_B)) / p1evl(w, LGAM_C);
  }
  if (x > MAX_LGAM) return Infinity;
  let q = (x - 0.5) * Math.log(x) - x + LS2PI;
  if (x > 1.0e8) return q;
  const p = 1 / (x * x);
  if (x >= 1000) {
    q += ((0.0007936507936507937 * p - 0.002777777777777778) * p + 0.08333333333333333) / x;
  } else {
    q += polevl(p, LGAM_A) / x;
  }
  return q;
}

/** zeta(n) for n = 2 .. 41, as scipy.special.zeta(n, 1) gives them to lgam1p's series. */
const ZETA = [
  1.6449340668482266, 1.202056903159594, 1.0823232337111381, 1.0369277551433704, 1.0173430619844488,
  1.008349277381923, 1.0040773561979446, 1.0020083928260826, 1.0009945751278182, 1.0004941886041194,
  1.0002460865533078, 1.0001227133475785, 1.0000612481350586, 1.0000305882363072, 1.0000152822594084,
  1.0000076371976376, 1.000003817293265, 1.0000019082127163, 1.0000009539620338, 1.0000004769329867,
  1.0000002384505027, 1.000000119219926, 1.000000059608189, 1.0000000298035034, 1.0000000149015549,
  1.0000000074507118, 1.000000003725334, 1.0000000018626598, 1.0000000009313275, 1.0000000004656628,
  1.000000000232831, 1.0000000001164155, 1.0000000000582077, 1.0000000000291038, 1.000000000014552,
  1.000000000007276, 1.000000000003638, 1.000000000001819, 1.0000000000009095, 1.0000000000004547,
];

/** cephes' MACHEP, 2^-53: the series below stop once a term is this small relative to the sum. */
export const MACHEP = 1.1102230246251565e-16;

/** log Gamma(1 + x) near x = 0 by its Taylor series -EULER x + sum zeta(n) (-x)^n / n. */
function logGamma1pTaylor(x: number): number {
  if (x === 0) return 0;
  let res = -EULER * x;
  let xfac = -x;
  for (let n = 2; n < 42; n++) {
    xfac *= -x;
    const coeff = (ZETA[n - 2] * xfac) / n;
    res += coeff;
    if (Math.abs(coeff) < MACHEP * Math.abs(res)) break;
  }
  return res;
}

/** `lgam1p(x)`: log Gamma(1 + x), accurate near x = 0 and x = 1 where lgam(1 + x) cancels. */
export function logGamma1p(x: number): number {
  if (Math.abs(x) <= 0.5) return logGamma1pTaylor(x);
  if (Math.abs(x - 1) < 0.5) return Math.log(x) + logGamma1pTaylor(x - 1);
  return logGamma(x + 1);
}

/** log(1 + x) = x - x^2/2 + x^3 P(x) / Q(x) for 1/sqrt(2) <= 1 + x <= sqrt(2) (unity.c's LP, LQ). */
const LOG1P_P = [
  4.52700008624452e-05, 0.49854102823193375, 6.578732594206104,
  29.911919328553072, 60.94966798098779, 57.11296359058554,
  20.039553499201283,
];
const LOG1P_Q = [
  15.062909083469192, 83.04756596796722, 221.76239823732857,
  309.09872225312057, 216.42788614495947, 60.11866049760384,
];

/** cephes `log1p`. */
export function log1p(x: number): number {
  const z = 1 + x;
  if (z < Math.SQRT1_2 || z > Math.SQRT2) return Math.log(z);
  const zz = x * x;
  return x + (-0.5 * zz + x * ((zz * polevl(x, LOG1P_P)) / p1evl(x, LOG1P_Q)));
}

/** e^x = 1 + 2x P(x^2) / (Q(x^2) - P(x^2)) for |x| <= 1/2 (unity.c's EP, EQ). */
const EXPM1_P = [0.00012617719307481058, 0.030299440770744195, 1];
const EXPM1_Q = [
  3.0019850513866446e-06, 0.002524483403496841, 0.22726554820815503,
  2,
];

/** cephes `expm1`: e^x - 1 without cancellation near 0. */
export function expm1(x: number): number {
  if (!Number.isFinite(x)) return Number.isNaN(x) || x > 0 ? x : -1;
  if (x < -0.5 || x > 0.5) return Math.exp(x) - 1;
  const xx = x * x;
  let r = x * polevl(xx, EXPM1_P);
  r = r / (polevl(xx, EXPM1_Q) - r);
  return r + r;
}

/** The g of the N = 13 Lanczos approximation (Boost's, as SciPy's lanczos.h has it). */
export const LANCZOS_G = 6.02468004077673;

/** Numerator and denominator of `lanczos_sum_expg_scaled`, highest power first as in lanczos.h. */
const LANCZOS_NUM = [
  0.006061842346248907, 0.5098416655656676,
  19.519927882476175, 449.9445569063168,
  6955.999602515376, 75999.29304014542,
  601859.6171681099, 3481712.154980646,
  14605578.087685067, 43338889.32467614,
  86363131.2881386, 103794043.11634454,
  56906521.913471565,
];
const LANCZOS_DENOM = [
  1, 66, 1925, 32670, 357423, 2637558, 13339535, 45995730, 105258076, 150917976, 120543840, 39916800, 0,
];

/**
 * `lanczos_sum_expg_scaled(x)` = Gamma(x) e^(x + g - 0.5) / (x + g - 0.5)^(x - 0.5), through
 * cephes' `ratevl`: for |x| > 1 both polynomials run in 1/x from the other end, which keeps
 * the powers bounded.
 */
export function lanczosSumExpgScaled(x: number): number {
  const n = LANCZOS_NUM.length - 1;
  if (Math.abs(x) <= 1) return polevl(x, LANCZOS_NUM) / polevl(x, LANCZOS_DENOM);
  const y = 1 / x;
  let num = LANCZOS_NUM[n];
  let denom = LANCZOS_DENOM[n];
  for (let i = n - 1; i >= 0; i--) {
    num = num * y + LANCZOS_NUM[i];
    denom = denom * y + LANCZOS_DENOM[i];
  }
  // ratevl's pow(x, N - M) with numerator and denominator of the same degree is x^0 = 1.
  return num / denom;
}
