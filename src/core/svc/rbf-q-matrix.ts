/**
 * The Q matrix of libsvm's C-SVC dual, `Q[a][b] = y[a] * y[b] * K(x[a], x[b])` with the RBF kernel,
 * computed lazily one row at a time and cached, like libsvm's `SVC_Q`.
 *
 * Parity with scikit-learn's libsvm (dense build):
 * - the kernel is `exp(-gamma * (|a|² + |b|² - 2 a·b))` with the squared norms precomputed, exactly the
 *   expression of `Kernel::kernel_rbf` (the prediction-time `k_function` differs; see svc.ts);
 * - rows are stored as 32-bit floats (`Qfloat` is `float` in libsvm), so each value is rounded the
 *   same way before the solver reads it;
 * - libsvm addresses rows by the solver's current position and swaps cache entries when it shrinks;
 *   the values are symmetric and position-independent, so this cache keys rows by the sample's fixed
 *   index instead and the solver maps positions to indices.
 */
export class RbfQMatrix {
  readonly size: number;
  /** Diagonal `Q[a][a]` in sample order (always 1 for RBF, computed the libsvm way anyway). */
  readonly diagonal: Float64Array;
  private readonly rows = new Map<number, Float32Array>();
  private readonly maxRows: number;

  constructor(
    private readonly x: Float64Array,
    private readonly cols: number,
    private readonly y: Int8Array,
    private readonly gamma: number,
    cacheBytes = 200 * 1024 * 1024,
  ) {
    const l = y.length;
    this.size = l;
    this.squares = new Float64Array(l);
    for (let a = 0; a < l; a++) this.squares[a] = this.dot(a, a);
    this.diagonal = new Float64Array(l);
    for (let a = 0; a < l; a++) this.diagonal[a] = this.kernel(a, a);
    this.maxRows = Math.max(2, Math.floor(cacheBytes / (4 * Math.max(l, 1))));
  }

  private readonly squares: Float64Array;

  private dot(a: number, b: number): number {
    const x = this.x;
    const n = this.cols;
    const oa = a * n;
    const ob = b * n;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += x[oa + k] * x[ob + k];
    return sum;
  }

  private kernel(a: number, b: number): number {
    return Math.exp(-this.gamma * (this.squares[a] + this.squares[b] - 2 * this.dot(a, b)));
  }

  /** Row `a` of Q, indexed by sample index. */
  row(a: number): Float32Array {
    const cached = this.rows.get(a);
    if (cached) {
      // Map keeps insertion order: re-inserting marks the row as most recently used.
      this.rows.delete(a);
      this.rows.set(a, cached);
      return cached;
    }
    const l = this.size;
    const out = new Float32Array(l);
    const ya = this.y[a];
    for (let b = 0; b < l; b++) out[b] = ya * this.y[b] * this.kernel(a, b);
    if (this.rows.size >= this.maxRows) {
      const oldest = this.rows.keys().next().value as number;
      this.rows.delete(oldest);
    }
    this.rows.set(a, out);
    return out;
  }
}
