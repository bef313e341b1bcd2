/**
 * The few double-double operations SciPy's `smirnov` (cephes/kolmogorov.c with dd_real.h, the
 * QD library's algorithms) uses. A value is hi + lo with |lo| <= ulp(hi) / 2, about 32
 * significant digits: the one-sided Smirnov sum raises numbers close to 1 to powers in the
 * thousands, where a plain double would lose the digits the p-value parity needs.
 *
 * JavaScript has no fused multiply-add, so products are split the Dekker way, which is what
 * dd_idefs.h does on a CPU without FMA (the exact product is the same either way).
 */

export interface DoubleDouble {
  readonly hi: number;
  readonly lo: number;
}

export const DD_ZERO: DoubleDouble = { hi: 0, lo: 0 };
export const DD_ONE: DoubleDouble = { hi: 1, lo: 0 };

/** 2^27 + 1: splits a double into two 26-bit halves whose products are exact. */
const SPLITTER = 134217729;
/** Above this the split would overflow, so dd_idefs.h scales by 2^-28 first. */
const SPLIT_THRESHOLD = 6.69692879491417e299;

function twoSum(a: number, b: number): DoubleDouble {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

function quickTwoSum(a: number, b: number): DoubleDouble {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

function split(a: number): [number, number] {
  if (a > SPLIT_THRESHOLD || a < -SPLIT_THRESHOLD) {
    const scaled = a * 2 ** -28;
    const t = SPLITTER * scaled;
    const hi = t - (t - scaled);
    return [hi * 2 ** 28, (scaled - hi) * 2 ** 28];
  }
  const t = SPLITTER * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

function twoProd(a: number, b: number): DoubleDouble {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

export function ddFromSum(a: number, b: number): DoubleDouble {
  return twoSum(a, b);
}

export function ddFromProduct(a: number, b: number): DoubleDouble {
  return twoProd(a, b);
}

/** dd_ieee_add: the Briggs-Kahan sum with an IEEE-style error bound. */
export function ddAdd(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  const u = quickTwoSum(s.hi, s.lo + t.hi);
  return quickTwoSum(u.hi, u.lo + t.lo);
}

export function ddNeg(a: DoubleDouble): DoubleDouble {
  return { hi: -a.hi, lo: -a.lo };
}

export function ddSub(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  return ddAdd(a, ddNeg(b));
}

export function ddAddNumber(a: DoubleDouble, b: number): DoubleDouble {
  const s = twoSum(a.hi, b);
  return quickTwoSum(s.hi, s.lo + a.lo);
}

export function ddMul(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const p = twoProd(a.hi, b.hi);
  return quickTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

/** dd_mul_dd_d and dd_mul_d_dd (the same operation). */
export function ddMulNumber(a: DoubleDouble, b: number): DoubleDouble {
  const p1 = twoProd(a.hi, b);
  const p2 = twoProd(a.lo, b);
  return quickTwoSum(p1.hi, p2.lo + p2.hi + p1.lo);
}

/** dd_accurate_div: three quotient digits, as dd_div, dd_div_d_d, dd_div_dd_d and dd_div_d_dd use. */
export function ddDiv(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const q1 = a.hi / b.hi;
  let r = ddSub(a, ddMulNumber(b, q1));
  const q2 = r.hi / b.hi;
  r = ddSub(r, ddMulNumber(b, q2));
  const q3 = r.hi / b.hi;
  return ddAddNumber(quickTwoSum(q1, q2), q3);
}

export function dd(hi: number): DoubleDouble {
  return { hi, lo: 0 };
}

export function ddFloor(a: DoubleDouble): DoubleDouble {
  const hi = Math.floor(a.hi);
  if (hi !== a.hi) return { hi, lo: 0 };
  return quickTwoSum(hi, Math.floor(a.lo));
}

export function ddLdexp(a: DoubleDouble, exponent: number): DoubleDouble {
  return { hi: ldexp(a.hi, exponent), lo: ldexp(a.lo, exponent) };
}

/** dd_frexp: a mantissa with 0.5 <= |hi| < 1 (or |hi| = 1 with lo of the other sign), and the exponent. */
export function ddFrexp(a: DoubleDouble): { readonly mantissa: DoubleDouble; readonly exponent: number } {
  const [man, exponent] = frexp(a.hi);
  const b1 = ldexp(a.lo, -exponent);
  if (Math.abs(man) === 0.5 && man * b1 < 0) {
    return { mantissa: { hi: man * 2, lo: b1 * 2 }, exponent: exponent - 1 };
  }
  return { mantissa: { hi: man, lo: b1 }, exponent };
}

const TWO_POW_1023 = 2 ** 1023;
const TWO_POW_MINUS_1022 = 2 ** -1022;
const TWO_POW_54 = 2 ** 54;

/**
 * C's ldexp: x * 2^exponent, in steps so that no power of two overflows. A result in the
 * subnormal range may be rounded twice; smirnov only meets such values in terms far too small
 * to change a sum.
 */
export function ldexp(x: number, exponent: number): number {
  let e = exponent;
  let y = x;
  while (e > 1023) {
    y *= TWO_POW_1023;
    e -= 1023;
    if (!Number.isFinite(y)) return y;
  }
  while (e < -1022) {
    y *= TWO_POW_MINUS_1022;
    e += 1022;
    if (y === 0) return y;
  }
  return y * 2 ** e;
}

/** Scratch space for reading a double's exponent bits (big-endian, whatever the platform). */
const bits = new DataView(new ArrayBuffer(8));

/** C's frexp: [m, e] with x = m * 2^e and 0.5 <= |m| < 1 (m = x for 0, NaN and infinities). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  bits.setFloat64(0, x);
  let biased = (bits.getUint16(0) >>> 4) & 0x7ff;
  let shift = 0;
  if (biased === 0) {
    // Subnormal: scale into the normal range first; the product is exact.
    bits.setFloat64(0, x * TWO_POW_54);
    biased = (bits.getUint16(0) >>> 4) & 0x7ff;
    shift = -54;
  }
  // Replace the exponent with the one of [0.5, 1), keeping the sign and the significand.
  bits.setUint16(0, (bits.getUint16(0) & 0x800f) | (1022 << 4));
  return [bits.getFloat64(0), biased - 1022 + shift];
}
