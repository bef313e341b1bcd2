import type { Matrix } from '../matrix.js';
import { interleaveRows } from '../matrix.js';
import type { FitWorkspace } from './fit-workspace.js';
import { classPairs } from './one-vs-one.js';
import type { SvcModel, SvcProblem } from './svc.js';
import { svStarts } from './svc.js';

/** Held-out rows whose squared distances one pass over the features computes together. */
const BLOCK = 4;

/**
 * The pair values (for two classes, the decision values) of several models fitted on one
 * `SvcProblem` (same training rows, same gamma, other C values), for the same held-out rows: the
 * grid search's scoring. Each model's
 * support vectors are training rows, so the kernel values `exp(-gamma · |z - x_k|²)` between a
 * held-out row z and a training row x_k are the same for every model; they are computed once per
 * training row, the first time one is a support vector, and kept.
 *
 * The values are the bits of the serving predictor (`createPredictor(...).classify`) and of
 * libsvm's `k_function` / `svm_predict_values`: the held-out rows come already scaled the way the
 * model's pipeline scales them (`transformMinMax` computes `x * scale + min` as the predictor
 * does), each squared distance is summed over the features in order, each term `coef · K` is
 * added to the total in support-vector order (per pair: its first class's vectors, then its
 * second's), and the pair value is `sum - rho` (the decision value of two classes its negation).
 */
export class HeldOutKernel {
  private readonly rows: number;
  private readonly cols: number;
  private readonly negGamma: number;
  /** The held-out rows: full blocks interleaved (feature c of row `4B + r` at `(B * cols + c) * 4 + r`), then the rest row-major. */
  private readonly blocked: Float64Array;
  private readonly fullRows: number;
  private readonly z: Float64Array;
  /** `kernel[k * rows + r]` = K(z_r, training row at position k), once `computed[k]`. */
  private readonly kernel: Float64Array;
  private readonly computed: Uint8Array;
  private readonly positionOf = new Map<number, number>();

  /** Whether the kept kernel values of `problem` against `rows` held-out rows stay within `bytes`. */
  static fits(problem: SvcProblem, rows: number, bytes = 256 * 1024 * 1024): boolean {
    return problem.order.length * rows * 8 <= bytes;
  }

  /** `x`: the held-out rows as the model sees them, scaled like the training rows of `problem`. */
  constructor(
    private readonly problem: SvcProblem,
    x: Matrix,
    workspace?: FitWorkspace,
  ) {
    const z = x.data;
    this.rows = x.rows;
    this.cols = x.cols;
    this.z = z;
    this.negGamma = -problem.gamma;
    this.fullRows = x.rows - (x.rows % BLOCK);
    this.blocked = interleaveRows(z, this.fullRows, x.cols, BLOCK);
    const l = problem.order.length;
    this.kernel = workspace ? workspace.heldOutKernel(l * x.rows) : new Float64Array(l * x.rows);
    this.computed = new Uint8Array(l);
    problem.order.forEach((row, k) => this.positionOf.set(row, k));
  }

  /** Kernel values of every held-out row against the training row at position `k`, from `offset`. */
  private column(k: number): number {
    const offset = k * this.rows;
    if (this.computed[k]) return offset;
    const { blocked, kernel, cols, negGamma, z } = this;
    const g = this.problem.grouped;
    const gk = k * cols;
    let r = 0;
    for (let i = 0; r < this.fullRows; r += BLOCK) {
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let c = 0; c < cols; c++, i += BLOCK) {
        const w = g[gk + c];
        let e = blocked[i] - w;
        d0 += e * e;
        e = blocked[i + 1] - w;
        d1 += e * e;
        e = blocked[i + 2] - w;
        d2 += e * e;
        e = blocked[i + 3] - w;
        d3 += e * e;
      }
      kernel[offset + r] = Math.exp(negGamma * d0);
      kernel[offset + r + 1] = Math.exp(negGamma * d1);
      kernel[offset + r + 2] = Math.exp(negGamma * d2);
      kernel[offset + r + 3] = Math.exp(negGamma * d3);
    }
    for (; r < this.rows; r++) {
      let d = 0;
      for (let c = 0; c < cols; c++) {
        const e = z[r * cols + c] - g[gk + c];
        d += e * e;
      }
      kernel[offset + r] = Math.exp(negGamma * d);
    }
    this.computed[k] = 1;
    return offset;
  }

  /**
   * libsvm's pair values of `svc`, fitted on this problem, for the held-out rows: `rows ×
   * k(k-1)/2`, row-major (see `svcOvoDecision`).
   */
  pairValues(svc: SvcModel): Float64Array {
    const { rows, kernel } = this;
    const nSv = svc.support.length;
    const offsets = svc.support.map((row) => this.column(this.positionOf.get(row) as number));
    const start = svStarts(svc.nSupport);
    const pairs = classPairs(svc.classes.length);
    const out = new Float64Array(rows * pairs.length);
    const sum = new Float64Array(rows);
    const add = (from: number, to: number, coefRow: number) => {
      for (let s = from; s < to; s++) {
        const offset = offsets[s];
        const coef = svc.svCoef[coefRow + s];
        for (let r = 0; r < rows; r++) sum[r] += coef * kernel[offset + r];
      }
    };
    pairs.forEach(({ first: i, second: j }, p) => {
      sum.fill(0);
      add(start[i], start[i] + svc.nSupport[i], (j - 1) * nSv);
      add(start[j], start[j] + svc.nSupport[j], i * nSv);
      for (let r = 0; r < rows; r++) out[r * pairs.length + p] = sum[r] - svc.rho[p];
    });
    return out;
  }

  /** The decision values of a two-class `svc`, fitted on this problem, for the held-out rows. */
  decide(svc: SvcModel): Float64Array {
    return this.pairValues(svc).map((v) => -v);
  }
}
