/**
 * numpy's float64 summation, reproduced bit for bit. Floating-point addition is not
 * associative, so matching scikit-learn's numbers exactly (gamma = "scale" depends on X.var())
 * means adding in numpy's order, not left to right.
 */

/** numpy's unroll block: sums of up to this many elements use eight running accumulators. */
const PW_BLOCKSIZE = 128;

/**
 * numpy's default ufunc buffer size (np.getbufsize()). A full reduction of a contiguous array
 * is handed to the add loop in chunks of this many elements; each chunk is summed pairwise and
 * the chunk sums are added left to right.
 */
export const NUMPY_BUFSIZE = 8192;

/**
 * numpy's `pairwise_sum` (numpy/core/src/umath/loops_utils.h.src) over
 * `values[start .. start + n)`: one call of the add loop, with no buffer chunking.
 */
export function pairwiseSum(values: Float64Array, start = 0, n = values.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += values[start + i];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = values[start];
    let r1 = values[start + 1];
    let r2 = values[start + 2];
    let r3 = values[start + 3];
    let r4 = values[start + 4];
    let r5 = values[start + 5];
    let r6 = values[start + 6];
    let r7 = values[start + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = start + i;
      r0 += values[p];
      r1 += values[p + 1];
      r2 += values[p + 2];
      r3 += values[p + 3];
      r4 += values[p + 4];
      r5 += values[p + 5];
      r6 += values[p + 6];
      r7 += values[p + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += values[start + i];
    return res;
  }
  // Halve, but keep the first half a multiple of the unroll factor, as numpy does.
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(values, start, n2) + pairwiseSum(values, start + n2, n - n2);
}

/**
 * `np.sum(x)` (or `x.sum()`) over every element of a C-contiguous float64 array: the reduction
 * starts from the identity 0 and adds the pairwise sum of each buffer-sized chunk in turn.
 */
export function numpySum(values: Float64Array): number {
  let res = 0;
  for (let start = 0; start < values.length; start += NUMPY_BUFSIZE) {
    res += pairwiseSum(values, start, Math.min(NUMPY_BUFSIZE, values.length - start));
  }
  return res;
}

/** `np.mean(x)` over every element (NaN for an empty array, as numpy returns with a warning). */
export function mean(values: Float64Array): number {
  return numpySum(values) / values.length;
}

/**
 * `x.var()` (ddof = 0) over every element of a C-contiguous float64 array, as numpy 1.24's
 * `_var` computes it: mean = sum / n, then the sum of (x - mean) * (x - mean), divided by n.
 * For a Matrix pass its row-major `data`, which is the C order SVC's input validation uses.
 */
export function variance(values: Float64Array): number {
  const n = values.length;
  const m = numpySum(values) / n;
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = values[i] - m;
    squares[i] = d * d;
  }
  return numpySum(squares) / n;
}
