import type { Matrix } from '../matrix.js';
import { variance } from '../numpy-sum.js';
import type { FitWorkspace } from './fit-workspace.js';
import { RbfQMatrix } from './rbf-q-matrix.js';
import { solveCSvc } from './smo-solver.js';

/** The named rules for gamma: `scale` = 1 / (n_features · X.var()), `auto` = 1 / n_features. */
export const gammaRules = ['scale', 'auto'] as const;

/** `gamma` as scikit-learn's `SVC` takes it: a named rule or a positive number. */
export type Gamma = (typeof gammaRules)[number] | number;

/** Hyperparameters of an RBF-kernel C-SVC, with scikit-learn's defaults. */
export interface SvcParams {
  readonly C: number;
  readonly gamma: Gamma;
  /** Stopping tolerance (scikit-learn's `tol`). */
  readonly tol: number;
  readonly shrinking: boolean;
  readonly maxIter: number;
}

export const defaultSvcParams: SvcParams = { C: 1, gamma: 'scale', tol: 1e-3, shrinking: true, maxIter: -1 };

/**
 * A fitted binary RBF C-SVC: plain data, JSON-safe (every number is a double that JSON writes and
 * reads back exactly), and enough to reproduce scikit-learn's `decision_function` bit for bit.
 */
export interface SvcModel {
  readonly kind: 'rbf-svc';
  readonly params: SvcParams;
  /** The gamma actually used (resolved from `scale` / `auto`). */
  readonly gamma: number;
  /** Sorted class labels; decision values > 0 mean `classes[1]`, as in scikit-learn. */
  readonly classes: readonly [string, string];
  readonly nFeatures: number;
  /** Indices of the support vectors in the training rows, grouped by class, as `support_`. */
  readonly support: readonly number[];
  readonly nSupport: readonly [number, number];
  /** Support vectors, row-major, `support.length × nFeatures`. */
  readonly supportVectors: readonly number[];
  /** libsvm's `sv_coef` (yᵢαᵢ with +1 for `classes[0]`); scikit-learn's `dual_coef_` is its negation. */
  readonly svCoef: readonly number[];
  /** libsvm's `rho`; scikit-learn's `intercept_` is `rho` for a binary problem. */
  readonly rho: number;
  readonly iterations: number;
}

export class SvcFitError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SvcFitError';
  }
}

export function resolveGamma(gamma: Gamma, x: Matrix): number {
  if (gamma === 'auto') return 1 / x.cols;
  if (gamma === 'scale') {
    const v = variance(x.data);
    return v !== 0 ? 1.0 / (x.cols * v) : 1.0;
  }
  return gamma;
}

/** Sorted distinct labels, in the order of `np.unique` (code-point order). */
export function sortedClasses(y: readonly string[]): string[] {
  return [...new Set(y)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function fitSvc(params: SvcParams, x: Matrix, y: readonly string[]): SvcModel {
  if (x.rows !== y.length) throw new SvcFitError(`X has ${x.rows} rows but y has ${y.length} labels`);
  checkC(params.C);
  return solveSvcProblem(prepareSvcProblem(x, y, params.gamma), params);
}

function checkC(C: number): void {
  if (!(C > 0)) throw new SvcFitError(`C must be > 0, got ${C}`);
}

/**
 * The part of a fit that does not depend on C: the rows grouped by class as libsvm orders them,
 * the resolved gamma and the Q matrix with its cache of kernel rows. Fits with the same rows and
 * gamma but other C values can share one (the grid search does): the kernel rows computed for
 * one C are the very values another would compute.
 */
export interface SvcProblem {
  readonly gamma: number;
  readonly classes: readonly [string, string];
  readonly cols: number;
  /** `order[k]`: the training row at libsvm's position k. */
  readonly order: readonly number[];
  readonly grouped: Float64Array;
  readonly signs: Int8Array;
  readonly q: RbfQMatrix;
}

/** `workspace`: memory to reuse for the Q matrix's cache (see FitWorkspace); fresh otherwise. */
export function prepareSvcProblem(x: Matrix, y: readonly string[], gammaParam: Gamma, workspace?: FitWorkspace): SvcProblem {
  if (x.rows !== y.length) throw new SvcFitError(`X has ${x.rows} rows but y has ${y.length} labels`);
  if (typeof gammaParam === 'number' && !(gammaParam > 0)) throw new SvcFitError(`gamma must be > 0, got ${gammaParam}`);
  const classes = sortedClasses(y);
  if (classes.length !== 2) throw new SvcFitError(`expected exactly 2 classes in the training rows, got ${classes.length} (${classes.join(', ')})`);
  const gamma = resolveGamma(gammaParam, x);

  // libsvm groups the rows by class (scikit-learn sorts the labels): classes[0] first, as +1.
  const order: number[] = [];
  for (const cls of classes) for (let i = 0; i < y.length; i++) if (y[i] === cls) order.push(i);
  const l = order.length;
  const cols = x.cols;
  const grouped = new Float64Array(l * cols);
  const signs = new Int8Array(l);
  order.forEach((src, k) => {
    grouped.set(x.data.subarray(src * cols, (src + 1) * cols), k * cols);
    signs[k] = y[src] === classes[0] ? 1 : -1;
  });
  const q = new RbfQMatrix(grouped, cols, signs, gamma, undefined, workspace);
  return { gamma, classes: [classes[0], classes[1]], cols, order, grouped, signs, q };
}

/** Solves the dual for `params.C`; `params.gamma` must be the one the problem was prepared with. */
export function solveSvcProblem(problem: SvcProblem, params: SvcParams): SvcModel {
  checkC(params.C);
  const { order, grouped, signs, cols } = problem;
  const l = order.length;
  const upper = new Float64Array(l).fill(params.C);
  const solution = solveCSvc(problem.q, signs, upper, { eps: params.tol, shrinking: params.shrinking, maxIter: params.maxIter });

  const support: number[] = [];
  const svCoef: number[] = [];
  const supportVectors: number[] = [];
  const nSupport: [number, number] = [0, 0];
  for (let k = 0; k < l; k++) {
    const coef = solution.alpha[k] * signs[k];
    if (Math.abs(coef) > 0) {
      support.push(order[k]);
      svCoef.push(coef);
      for (let c = 0; c < cols; c++) supportVectors.push(grouped[k * cols + c]);
      nSupport[signs[k] === 1 ? 0 : 1]++;
    }
  }
  return {
    kind: 'rbf-svc',
    params,
    gamma: problem.gamma,
    classes: problem.classes,
    nFeatures: cols,
    support,
    nSupport,
    supportVectors,
    svCoef,
    rho: solution.rho,
    iterations: solution.iterations,
  };
}

/**
 * scikit-learn's `decision_function` for a binary SVC: positive means `classes[1]`.
 * Kernel values use libsvm's prediction-time `k_function` (sum of squared differences), which
 * is not the training-time expression, and the terms are summed in support-vector order.
 */
export function svcDecisionFunction(model: SvcModel, x: Matrix): Float64Array {
  if (x.cols !== model.nFeatures) throw new SvcFitError(`expected ${model.nFeatures} features, got ${x.cols}`);
  const sv = Float64Array.from(model.supportVectors);
  const coef = Float64Array.from(model.svCoef);
  const nSv = coef.length;
  const cols = x.cols;
  const negGamma = -model.gamma;
  const out = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    const o = r * cols;
    let sum = 0;
    for (let s = 0; s < nSv; s++) {
      const so = s * cols;
      let d2 = 0;
      for (let c = 0; c < cols; c++) {
        const d = x.data[o + c] - sv[so + c];
        d2 += d * d;
      }
      sum += coef[s] * Math.exp(negGamma * d2);
    }
    out[r] = -(sum - model.rho);
  }
  return out;
}

/** The label for each decision value (libsvm votes for `classes[0]` only when its value is > 0). */
export function labelsFromDecision(model: SvcModel, decision: Float64Array): string[] {
  return Array.from(decision, (d) => (-d > 0 ? model.classes[0] : model.classes[1]));
}
