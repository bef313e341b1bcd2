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
 *
 * Speed without changing a bit: a row's dot products are computed four at a time over a copy of
 * the samples interleaved in blocks of four (feature k of samples b..b+3 side by side). Each dot
 * product is still summed over the features in order from 0, so every value is the one of the
 * plain loop; four independent sums only let the CPU overlap them
 * (eight measured slower: V8 runs out of registers).
 */
import { interleaveRows } from '../matrix.js';
import type { FitWorkspace } from './fit-workspace.js';

/** Samples whose dot products with a row one pass over the features computes together. */
const BLOCK = 4;

export class RbfQMatrix {
  readonly size: number;
  /** Diagonal `Q[a][a]` in sample order (always 1 for RBF, computed the libsvm way anyway). */
  readonly diagonal: Float64Array;
  private readonly squares: Float64Array;
  /** The full blocks of samples, interleaved: feature k of sample `4B + r` at `(B * cols + k) * 4 + r`. */
  private readonly blocked: Float64Array;
  private readonly fullBlocks: number;
  /** Scratch: the features of the row being computed. */
  private readonly xa: Float64Array;
  /**
   * The cache: `slots` rows of `size` floats in one allocation (a row a time was mostly malloc and
   * GC). `slotOf[a]` is row a's slot or -1; the slots form a least-recently-used list
   * (`newer` / `older`, -1 at the ends), kept only when not every row fits.
   */
  private readonly slab: Float32Array;
  private readonly views: Float32Array[] = [];
  private readonly slots: number;
  private readonly slotOf: Int32Array;
  private readonly sampleOf: Int32Array;
  private readonly newer: Int32Array;
  private readonly older: Int32Array;
  private used = 0;
  private newest = -1;
  private oldest = -1;

  constructor(
    private readonly x: Float64Array,
    private readonly cols: number,
    private readonly y: Int8Array,
    private readonly gamma: number,
    cacheBytes = 200 * 1024 * 1024,
    workspace?: FitWorkspace,
    /** Which of the workspace's Q-matrix caches to use (one per pair of classes). */
    workspaceSlot = 0,
  ) {
    const l = y.length;
    this.size = l;
    this.squares = new Float64Array(l);
    for (let a = 0; a < l; a++) this.squares[a] = this.dot(a, a);
    this.diagonal = new Float64Array(l);
    for (let a = 0; a < l; a++) this.diagonal[a] = this.kernel(a, a);
    this.slots = Math.min(l, Math.max(2, Math.floor(cacheBytes / (4 * Math.max(l, 1)))));
    this.slab = workspace ? workspace.qRows(this.slots * l, workspaceSlot) : new Float32Array(this.slots * l);
    this.slotOf = new Int32Array(l).fill(-1);
    this.sampleOf = new Int32Array(this.slots);
    const lru = this.slots < l ? this.slots : 0;
    this.newer = new Int32Array(lru).fill(-1);
    this.older = new Int32Array(lru).fill(-1);
    this.fullBlocks = Math.floor(l / BLOCK);
    this.xa = new Float64Array(cols);
    this.blocked = interleaveRows(x, this.fullBlocks * BLOCK, cols, BLOCK);
  }

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

  /**
   * Row `a` of Q, indexed by sample index. The array is the cache's: it holds row a until the
   * cache evicts it, which takes the least recently used row, so the last two rows asked for
   * always stay (the solver holds at most two at once).
   */
  row(a: number): Float32Array {
    const lru = this.slots < this.size;
    let slot = this.slotOf[a];
    if (slot >= 0) {
      if (lru) this.touch(slot, true);
      return this.views[slot];
    }
    if (this.used < this.slots) {
      slot = this.used++;
      this.views.push(this.slab.subarray(slot * this.size, (slot + 1) * this.size));
      if (lru) this.touch(slot, false);
    } else {
      slot = this.oldest;
      this.slotOf[this.sampleOf[slot]] = -1;
      this.touch(slot, true);
    }
    this.slotOf[a] = slot;
    this.sampleOf[slot] = a;
    const out = this.views[slot];
    this.computeRow(a, out);
    return out;
  }

  /** Makes `slot` the most recently used; `linked`: it is in the list already. */
  private touch(slot: number, linked: boolean): void {
    const { newer, older } = this;
    if (linked) {
      if (slot === this.newest) return;
      const n = newer[slot];
      const o = older[slot];
      older[n] = o;
      if (o !== -1) newer[o] = n;
      else this.oldest = n;
    }
    older[slot] = this.newest;
    newer[slot] = -1;
    if (this.newest !== -1) newer[this.newest] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  /** `out[b] = y[a] * y[b] * K(a, b)` for every sample b: `kernel(a, b)`'s arithmetic, four at a time. */
  private computeRow(a: number, out: Float32Array): void {
    const { blocked, squares, y, cols, xa } = this;
    const negGamma = -this.gamma;
    const sqa = squares[a];
    const ya = y[a];
    for (let k = 0; k < cols; k++) xa[k] = this.x[a * cols + k];
    const end = this.fullBlocks * BLOCK;
    for (let b = 0, i = 0; b < end; b += BLOCK) {
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let k = 0; k < cols; k++, i += BLOCK) {
        const v = xa[k];
        d0 += v * blocked[i];
        d1 += v * blocked[i + 1];
        d2 += v * blocked[i + 2];
        d3 += v * blocked[i + 3];
      }
      out[b] = ya * y[b] * Math.exp(negGamma * (sqa + squares[b] - 2 * d0));
      out[b + 1] = ya * y[b + 1] * Math.exp(negGamma * (sqa + squares[b + 1] - 2 * d1));
      out[b + 2] = ya * y[b + 2] * Math.exp(negGamma * (sqa + squares[b + 2] - 2 * d2));
      out[b + 3] = ya * y[b + 3] * Math.exp(negGamma * (sqa + squares[b + 3] - 2 * d3));
    }
    for (let b = end; b < this.size; b++) out[b] = ya * y[b] * this.kernel(a, b);
  }
}
