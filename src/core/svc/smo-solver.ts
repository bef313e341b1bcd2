import type { RbfQMatrix } from './rbf-q-matrix.js';

/**
 * libsvm's SMO solver (Fan, Chen and Lin, JMLR 6 (2005) 1889-1918) for the C-SVC dual
 *
 *   min ½ αᵀQα − eᵀα   subject to  yᵀα = 0,  0 ≤ αᵢ ≤ Cᵢ,
 *
 * ported statement by statement from scikit-learn's copy of libsvm (`Solver::Solve`,
 * `select_working_set`, `do_shrinking`, `reconstruct_gradient`, `calculate_rho`) so that the
 * iterates, and therefore the support vectors, coefficients and rho, are the same floating-point
 * numbers. Variables live at "positions" that shrinking permutes; `activeSet[position]` is the
 * sample index, which addresses the Q matrix.
 *
 * Two changes of bookkeeping, none of arithmetic:
 * - until shrinking first swaps two variables, position and sample index are the same, and the hot
 *   loops read the Q rows directly; after that, through a copy of the row in position order;
 * - Ḡ is kept by sample index and updated lazily: each change of a variable to or from its upper
 *   bound is queued, and the queue is applied, in order, the first time Ḡ is read
 *   (`reconstructGradient`). Every Ḡ value gets the very same additions in the same order; a fit
 *   that never needs Ḡ (it converges before shrinking leaves anything out) skips them.
 */

const LOWER_BOUND = 0;
const UPPER_BOUND = 1;
const FREE = 2;
const TAU = 1e-12;

export interface SolverOptions {
  /** Stopping tolerance on the maximal violating pair (scikit-learn's `tol`, default 1e-3). */
  readonly eps: number;
  readonly shrinking: boolean;
  /** -1 for no limit (scikit-learn's default). */
  readonly maxIter: number;
}

export interface SolverSolution {
  /** αᵢ in sample order (not yet multiplied by yᵢ). */
  readonly alpha: Float64Array;
  readonly rho: number;
  readonly iterations: number;
  readonly reachedMaxIter: boolean;
}

export function solveCSvc(q: RbfQMatrix, y: Int8Array, upper: Float64Array, options: SolverOptions): SolverSolution {
  return new SmoSolver(q, y, upper, options).solve();
}

class SmoSolver {
  private readonly l: number;
  private activeSize: number;
  private readonly y: Int8Array;
  private readonly G: Float64Array;
  /** Ḡ by sample index, up to the updates still in `pendingRows` / `pendingCoefs`. */
  private readonly Gbar: Float64Array;
  private pendingRows: number[] = [];
  private pendingCoefs: number[] = [];
  private readonly status: Uint8Array;
  /** Per position, from y and status: ±1 as a double, and membership of I_up / I_low (1 or 0). */
  private readonly ys: Float64Array;
  private readonly inUp: Uint8Array;
  private readonly inLow: Uint8Array;
  private readonly alpha: Float64Array;
  private readonly C: Float64Array;
  private readonly p: Float64Array;
  private readonly QD: Float64Array;
  private readonly activeSet: Int32Array;
  private unshrink = false;
  /** Whether position and sample index are still the same (no swap yet). */
  private identity = true;
  /** Scratch rows in position order, for after the first swap. */
  private readonly positionalI: Float32Array;
  private readonly positionalJ: Float32Array;

  constructor(
    private readonly q: RbfQMatrix,
    y: Int8Array,
    upper: Float64Array,
    private readonly options: SolverOptions,
  ) {
    const l = y.length;
    this.l = l;
    this.activeSize = l;
    this.y = Int8Array.from(y);
    this.C = Float64Array.from(upper);
    this.alpha = new Float64Array(l);
    this.p = new Float64Array(l).fill(-1);
    this.QD = Float64Array.from(q.diagonal);
    this.activeSet = new Int32Array(l);
    for (let i = 0; i < l; i++) this.activeSet[i] = i;
    this.status = new Uint8Array(l);
    this.ys = Float64Array.from(this.y);
    this.inUp = new Uint8Array(l);
    this.inLow = new Uint8Array(l);
    for (let i = 0; i < l; i++) this.updateStatus(i);
    // α starts at 0 (all at the lower bound), so the gradient starts at p and Ḡ at 0.
    this.G = Float64Array.from(this.p);
    this.Gbar = new Float64Array(l);
    this.positionalI = new Float32Array(l);
    this.positionalJ = new Float32Array(l);
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i];
    const s = a >= this.C[i] ? UPPER_BOUND : a <= 0 ? LOWER_BOUND : FREE;
    this.status[i] = s;
    const positive = this.y[i] === 1;
    this.inUp[i] = (positive ? s !== UPPER_BOUND : s !== LOWER_BOUND) ? 1 : 0;
    this.inLow[i] = (positive ? s !== LOWER_BOUND : s !== UPPER_BOUND) ? 1 : 0;
  }

  /** The Q row of the variable at `position`, indexed by sample. */
  private row(position: number): Float32Array {
    return this.q.row(this.activeSet[position]);
  }

  /** The Q row of the variable at `position`, indexed by position over the active set. */
  private positionalRow(position: number, scratch: Float32Array): Float32Array {
    const bySample = this.row(position);
    if (this.identity) return bySample;
    const { activeSet } = this;
    for (let k = 0; k < this.activeSize; k++) scratch[k] = bySample[activeSet[k]];
    return scratch;
  }

  /** Ḡ += c · (row s of Q), for a variable that went to (c = C) or left (c = -C) its upper bound. */
  private queueGbar(sample: number, coef: number): void {
    this.pendingRows.push(sample);
    this.pendingCoefs.push(coef);
    // Applying early changes nothing; it only bounds the queue.
    if (this.pendingRows.length >= 65536) this.applyGbar();
  }

  private applyGbar(): void {
    const { l, Gbar, pendingRows, pendingCoefs } = this;
    for (let n = 0; n < pendingRows.length; n++) {
      const Qs = this.q.row(pendingRows[n]);
      const coef = pendingCoefs[n];
      for (let k = 0; k < l; k++) Gbar[k] += coef * Qs[k];
    }
    this.pendingRows = [];
    this.pendingCoefs = [];
  }

  solve(): SolverSolution {
    const { l, y, G, alpha, C, QD, activeSet, status } = this;
    const { maxIter, shrinking } = this.options;
    let iter = 0;
    let counter = Math.min(l, 1000) + 1;
    let reachedMaxIter = false;
    for (;;) {
      if (maxIter !== -1 && iter >= maxIter) {
        reachedMaxIter = true;
        break;
      }
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (shrinking) this.doShrinking();
      }
      let pair = this.selectWorkingSet();
      if (pair < 0) {
        this.reconstructGradient();
        this.activeSize = l;
        pair = this.selectWorkingSet();
        if (pair < 0) break;
        counter = 1;
      }
      ++iter;
      const i = Math.floor(pair / l);
      const j = pair % l;
      const Qi = this.positionalRow(i, this.positionalI);
      const Qj = this.positionalRow(j, this.positionalJ);
      const Ci = C[i];
      const Cj = C[j];
      const oldAi = alpha[i];
      const oldAj = alpha[j];
      const Qij = Qi[j];

      if (y[i] !== y[j]) {
        let quad = QD[i] + QD[j] + 2 * Qij;
        if (quad <= 0) quad = TAU;
        const delta = (-G[i] - G[j]) / quad;
        const diff = alpha[i] - alpha[j];
        alpha[i] += delta;
        alpha[j] += delta;
        if (diff > 0) {
          if (alpha[j] < 0) {
            alpha[j] = 0;
            alpha[i] = diff;
          }
        } else if (alpha[i] < 0) {
          alpha[i] = 0;
          alpha[j] = -diff;
        }
        if (diff > Ci - Cj) {
          if (alpha[i] > Ci) {
            alpha[i] = Ci;
            alpha[j] = Ci - diff;
          }
        } else if (alpha[j] > Cj) {
          alpha[j] = Cj;
          alpha[i] = Cj + diff;
        }
      } else {
        let quad = QD[i] + QD[j] - 2 * Qij;
        if (quad <= 0) quad = TAU;
        const delta = (G[i] - G[j]) / quad;
        const sum = alpha[i] + alpha[j];
        alpha[i] -= delta;
        alpha[j] += delta;
        if (sum > Ci) {
          if (alpha[i] > Ci) {
            alpha[i] = Ci;
            alpha[j] = sum - Ci;
          }
        } else if (alpha[j] < 0) {
          alpha[j] = 0;
          alpha[i] = sum;
        }
        if (sum > Cj) {
          if (alpha[j] > Cj) {
            alpha[j] = Cj;
            alpha[i] = sum - Cj;
          }
        } else if (alpha[i] < 0) {
          alpha[i] = 0;
          alpha[j] = sum;
        }
      }

      const dAi = alpha[i] - oldAi;
      const dAj = alpha[j] - oldAj;
      const active = this.activeSize;
      for (let k = 0; k < active; k++) G[k] += Qi[k] * dAi + Qj[k] * dAj;

      // libsvm's `G_bar[k] -= C_i * Q_i[k]` is `G_bar[k] + (-C_i) * Q_i[k]` to the bit.
      const ui = status[i] === UPPER_BOUND;
      const uj = status[j] === UPPER_BOUND;
      this.updateStatus(i);
      this.updateStatus(j);
      if (ui !== (status[i] === UPPER_BOUND)) this.queueGbar(activeSet[i], ui ? -Ci : Ci);
      if (uj !== (status[j] === UPPER_BOUND)) this.queueGbar(activeSet[j], uj ? -Cj : Cj);
    }

    const rho = this.calculateRho();
    const out = new Float64Array(l);
    for (let i = 0; i < l; i++) out[activeSet[i]] = alpha[i];
    return { alpha: out, rho, iterations: iter, reachedMaxIter };
  }

  /**
   * Returns `i * l + j` for the working pair, or -1 when already optimal. libsvm's two branches
   * on y are one expression here, through yₜ = ±1 and I_up / I_low membership kept per position:
   * `-(yₜ·Gₜ)` is `-G[t]` or `G[t]`, `Gmax + yⱼ·Gⱼ` is `Gmax + G[j]` or `Gmax - G[j]`, and
   * `(QDᵢ + QDⱼ) - yⱼ·(2yᵢ·Qᵢⱼ)` is libsvm's `QD_i + QD[j] ∓ 2.0 * y_i * Q_i[j]`, all to the bit.
   */
  private selectWorkingSet(): number {
    const { ys, G, QD, inUp, inLow } = this;
    const active = this.activeSize;
    let Gmax = -Infinity;
    let Gmax2 = -Infinity;
    let GmaxIdx = -1;
    let GminIdx = -1;
    let objDiffMin = Infinity;

    for (let t = 0; t < active; t++) {
      if (inUp[t] !== 0) {
        const v = -(ys[t] * G[t]);
        if (v >= Gmax) {
          Gmax = v;
          GmaxIdx = t;
        }
      }
    }

    const i = GmaxIdx;
    // Without an i, libsvm's second loop finds no j (Gmax + yⱼGⱼ = -∞) and it returns 1 (optimal).
    if (i === -1) return -1;
    const Qi = this.positionalRow(i, this.positionalI);
    const twoYi = 2.0 * this.y[i];
    const QDi = QD[i];

    for (let j = 0; j < active; j++) {
      if (inLow[j] !== 0) {
        const yG = ys[j] * G[j];
        const gradDiff = Gmax + yG;
        if (yG >= Gmax2) Gmax2 = yG;
        if (gradDiff > 0) {
          const quad = QDi + QD[j] - ys[j] * (twoYi * Qi[j]);
          const objDiff = quad > 0 ? -(gradDiff * gradDiff) / quad : -(gradDiff * gradDiff) / TAU;
          if (objDiff <= objDiffMin) {
            GminIdx = j;
            objDiffMin = objDiff;
          }
        }
      }
    }

    if (Gmax + Gmax2 < this.options.eps || GminIdx === -1) return -1;
    return GmaxIdx * this.l + GminIdx;
  }

  private beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    const s = this.status[i];
    if (s === UPPER_BOUND) return this.y[i] === 1 ? -this.G[i] > Gmax1 : -this.G[i] > Gmax2;
    if (s === LOWER_BOUND) return this.y[i] === 1 ? this.G[i] > Gmax2 : this.G[i] > Gmax1;
    return false;
  }

  private doShrinking(): void {
    const { y, G, status } = this;
    let Gmax1 = -Infinity; // max { -y_i * grad(f)_i | i in I_up(α) }
    let Gmax2 = -Infinity; // max { y_i * grad(f)_i | i in I_low(α) }
    for (let i = 0; i < this.activeSize; i++) {
      if (y[i] === 1) {
        if (status[i] !== UPPER_BOUND && -G[i] >= Gmax1) Gmax1 = -G[i];
        if (status[i] !== LOWER_BOUND && G[i] >= Gmax2) Gmax2 = G[i];
      } else {
        if (status[i] !== UPPER_BOUND && -G[i] >= Gmax2) Gmax2 = -G[i];
        if (status[i] !== LOWER_BOUND && G[i] >= Gmax1) Gmax1 = G[i];
      }
    }

    if (!this.unshrink && Gmax1 + Gmax2 <= this.options.eps * 10) {
      this.unshrink = true;
      this.reconstructGradient();
      this.activeSize = this.l;
    }

    for (let i = 0; i < this.activeSize; i++) {
      if (this.beShrunk(i, Gmax1, Gmax2)) {
        this.activeSize--;
        while (this.activeSize > i) {
          if (!this.beShrunk(this.activeSize, Gmax1, Gmax2)) {
            this.swap(i, this.activeSize);
            break;
          }
          this.activeSize--;
        }
      }
    }
  }

  private swap(i: number, j: number): void {
    swapIn(this.y, i, j);
    swapIn(this.G, i, j);
    swapIn(this.status, i, j);
    swapIn(this.ys, i, j);
    swapIn(this.inUp, i, j);
    swapIn(this.inLow, i, j);
    swapIn(this.alpha, i, j);
    swapIn(this.p, i, j);
    swapIn(this.activeSet, i, j);
    if (i !== j) this.identity = false;
    swapIn(this.C, i, j);
    swapIn(this.QD, i, j);
  }

  /** Rebuilds the gradient of the shrunk (inactive) variables from Ḡ and the free variables. */
  private reconstructGradient(): void {
    const { l, G, Gbar, p, alpha, status, activeSet } = this;
    const active = this.activeSize;
    if (active === l) return;
    this.applyGbar();
    for (let j = active; j < l; j++) G[j] = Gbar[activeSet[j]] + p[j];
    // libsvm picks one of two loop orders by cost; both add the same terms to each G[j] in the
    // same order (free positions ascending), so one order gives the same floating-point result.
    for (let i = 0; i < active; i++) {
      if (status[i] !== FREE) continue;
      const Qi = this.row(i);
      const ai = alpha[i];
      for (let j = active; j < l; j++) G[j] += ai * Qi[activeSet[j]];
    }
  }

  private calculateRho(): number {
    const { y, G, status } = this;
    let nrFree = 0;
    let ub = Infinity;
    let lb = -Infinity;
    let sumFree = 0;
    for (let i = 0; i < this.activeSize; i++) {
      const yG = y[i] * G[i];
      if (status[i] === UPPER_BOUND) {
        if (y[i] === -1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else if (status[i] === LOWER_BOUND) {
        if (y[i] === 1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else {
        ++nrFree;
        sumFree += yG;
      }
    }
    return nrFree > 0 ? sumFree / nrFree : (ub + lb) / 2;
  }
}

function swapIn(a: { [index: number]: number }, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
