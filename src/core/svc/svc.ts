import { sortedLabels } from '../label-order.js';
import type { Matrix } from '../matrix.js';
import { variance } from '../numpy-sum.js';
import type { FitWorkspace } from './fit-workspace.js';
import type { ClassPair } from './one-vs-one.js';
import { classPairs, ovrDecision } from './one-vs-one.js';
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
 * A fitted RBF C-SVC for k ≥ 2 classes, in libsvm's one-vs-one layout (see one-vs-one.ts): plain
 * data, JSON-safe (every number is a double that JSON writes and reads back exactly; a -0
 * coefficient reads back as 0, which adds the same to every sum), and enough to reproduce
 * scikit-learn's `decision_function` and `predict` bit for bit. A binary model is the case k = 2:
 * one pair, one row of coefficients, one rho.
 */
export interface SvcModel {
  readonly kind: 'rbf-svc';
  readonly params: SvcParams;
  /** The gamma actually used (resolved from `scale` / `auto`). */
  readonly gamma: number;
  /** Sorted class labels (`classes_`, libsvm's label order); for two classes, decision values > 0 mean `classes[1]`. */
  readonly classes: readonly string[];
  readonly nFeatures: number;
  /** Indices of the support vectors in the training rows, grouped by class, as `support_`. */
  readonly support: readonly number[];
  /** Support vectors per class (`n_support_`), in `classes` order. */
  readonly nSupport: readonly number[];
  /** Support vectors, row-major, `support.length × nFeatures`. */
  readonly supportVectors: readonly number[];
  /**
   * libsvm's `sv_coef`: k − 1 rows of `support.length` values, row-major. Pair (i, j)'s
   * coefficients (yα, +1 for class i) are in row j − 1 for class i's vectors and in row i for
   * class j's. scikit-learn's `dual_coef_` is this matrix for k > 2 and its negation for k = 2.
   */
  readonly svCoef: readonly number[];
  /** libsvm's `rho` per pair, in pair order; `intercept_` is `-rho` for k > 2 and `rho` for k = 2. */
  readonly rho: readonly number[];
  /** SMO iterations per pair (`n_iter_`). */
  readonly iterations: readonly number[];
  /**
   * Platt scaling of each pair, in pair order (`probA_`, `probB_`): present only when the model was
   * fitted with probabilities (`fitSvcWithProbability`); models stored before have none.
   */
  readonly probA?: readonly number[];
  readonly probB?: readonly number[];
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

/** Sorted distinct labels, in the order of `np.unique` (see `sortedLabels`). */
export function sortedClasses(y: readonly string[]): string[] {
  return sortedLabels(y);
}

export function fitSvc(params: SvcParams, x: Matrix, y: readonly string[], options: SolveOptions = {}): SvcModel {
  if (x.rows !== y.length) throw new SvcFitError(`X has ${x.rows} rows but y has ${y.length} labels`);
  checkC(params.C);
  return solveSvcProblem(prepareSvcProblem(x, y, params.gamma), params, options);
}

function checkC(C: number): void {
  if (!(C > 0)) throw new SvcFitError(`C must be > 0, got ${C}`);
}

/**
 * One pair's binary problem, libsvm's `sub_prob`: the rows of class `first` (+1) then those of
 * class `second` (-1), and its Q matrix.
 */
export interface SvcPairProblem extends ClassPair {
  /** The rows, row-major, `cols` wide (for two classes, the problem's `grouped` itself). */
  readonly x: Float64Array;
  /** +1 for class `first`, -1 for class `second` (`sub_prob.y`). */
  readonly y: Int8Array;
  readonly q: RbfQMatrix;
}

/**
 * The part of a fit that does not depend on C: the rows grouped by class as libsvm orders them,
 * the resolved gamma and, per pair of classes, the sub-problem with its Q matrix and cache of
 * kernel rows. Fits with the same rows and gamma but other C values can share one (the grid
 * search does): the kernel rows computed for one C are the very values another would compute.
 */
export interface SvcProblem {
  readonly gamma: number;
  readonly classes: readonly string[];
  readonly cols: number;
  /** `order[k]`: the training row at libsvm's position k (grouped by class, in `classes` order). */
  readonly order: readonly number[];
  readonly grouped: Float64Array;
  /** First position and number of rows of each class in `order` (libsvm's `start`, `count`). */
  readonly start: readonly number[];
  readonly count: readonly number[];
  /** One per pair of classes, in libsvm's order. */
  readonly pairs: readonly SvcPairProblem[];
}

/** libsvm's kernel cache size (scikit-learn's `cache_size=200`); a size changes speed, never a value. */
const CACHE_BYTES = 200 * 1024 * 1024;

/** `workspace`: memory to reuse for the Q matrices' caches (see FitWorkspace); fresh otherwise. */
export function prepareSvcProblem(x: Matrix, y: readonly string[], gammaParam: Gamma, workspace?: FitWorkspace): SvcProblem {
  if (x.rows !== y.length) throw new SvcFitError(`X has ${x.rows} rows but y has ${y.length} labels`);
  if (typeof gammaParam === 'number' && !(gammaParam > 0)) throw new SvcFitError(`gamma must be > 0, got ${gammaParam}`);
  const classes = sortedClasses(y);
  if (classes.length < 2) throw new SvcFitError(`expected at least 2 classes in the training rows, got ${classes.length} (${classes.join(', ')})`);
  const gamma = resolveGamma(gammaParam, x);

  // svm_group_classes: rows grouped by class, classes in scikit-learn's sorted order (its fork
  // sorts libsvm's labels, which are the indices into classes_), each class's rows in data order.
  const order: number[] = [];
  const start: number[] = [];
  const count: number[] = [];
  for (const cls of classes) {
    start.push(order.length);
    for (let i = 0; i < y.length; i++) if (y[i] === cls) order.push(i);
    count.push(order.length - start[start.length - 1]);
  }
  const cols = x.cols;
  const grouped = new Float64Array(order.length * cols);
  order.forEach((src, k) => grouped.set(x.data.subarray(src * cols, (src + 1) * cols), k * cols));

  const pairList = classPairs(classes.length);
  // The Q matrices of all pairs live as long as the problem: they share libsvm's cache size.
  const cacheBytes = CACHE_BYTES / pairList.length;
  const pairs = pairList.map(({ first, second }, p): SvcPairProblem => {
    const [si, ci, sj, cj] = [start[first], count[first], start[second], count[second]];
    let sub = grouped;
    if (classes.length > 2) {
      sub = new Float64Array((ci + cj) * cols);
      sub.set(grouped.subarray(si * cols, (si + ci) * cols));
      sub.set(grouped.subarray(sj * cols, (sj + cj) * cols), ci * cols);
    }
    const signs = new Int8Array(ci + cj).fill(1, 0, ci).fill(-1, ci);
    return { first, second, x: sub, y: signs, q: new RbfQMatrix(sub, cols, signs, gamma, cacheBytes, workspace, p) };
  });
  return { gamma, classes, cols, order, grouped, start, count, pairs };
}

/**
 * What libsvm's pair loop has in hand where it calls `svm_binary_svc_probability` (only with
 * `probability=True`), right before it solves the pair: the sub-problem, and its C for either
 * class (`weighted_C[i]`, `weighted_C[j]`; both `params.C`, as mloop has no class weights).
 */
export interface SvcPairFit {
  /** The pair's index in libsvm's order. */
  readonly index: number;
  readonly problem: SvcPairProblem;
  readonly gamma: number;
  readonly params: SvcParams;
  readonly Cp: number;
  readonly Cn: number;
}

export interface SolveOptions {
  /**
   * Called for each pair, in libsvm's order, before its dual is solved: where Platt scaling
   * (probability.ts) fits its sigmoid, drawing from one random generator across the pairs.
   */
  readonly beforePair?: (fit: SvcPairFit) => void;
}

/** Solves each pair's dual for `params.C`; `params.gamma` must be the one the problem was prepared with. */
export function solveSvcProblem(problem: SvcProblem, params: SvcParams, options: SolveOptions = {}): SvcModel {
  checkC(params.C);
  const { order, grouped, cols, start, count, pairs } = problem;
  const l = order.length;
  const k = problem.classes.length;
  // svm_train's `nonzero`: a row is a support vector when any pair gives it a nonzero α.
  const nonzero = new Uint8Array(l);
  const alphas: Float64Array[] = [];
  const rho: number[] = [];
  const iterations: number[] = [];
  pairs.forEach((pair, index) => {
    options.beforePair?.({ index, problem: pair, gamma: problem.gamma, params, Cp: params.C, Cn: params.C });
    const n = pair.y.length;
    const solution = solveCSvc(pair.q, pair.y, new Float64Array(n).fill(params.C), { eps: params.tol, shrinking: params.shrinking, maxIter: params.maxIter });
    // solve_c_svc returns α·y.
    const alpha = Float64Array.from(solution.alpha, (a, m) => a * pair.y[m]);
    const [si, ci, sj] = [start[pair.first], count[pair.first], start[pair.second]];
    for (let m = 0; m < n; m++) if (Math.abs(alpha[m]) > 0) nonzero[m < ci ? si + m : sj + m - ci] = 1;
    alphas.push(alpha);
    rho.push(solution.rho);
    iterations.push(solution.iterations);
  });

  const support: number[] = [];
  const supportVectors: number[] = [];
  const nSupport = new Array<number>(k).fill(0);
  const nzStart: number[] = [];
  for (let c = 0; c < k; c++) {
    nzStart.push(support.length);
    for (let m = start[c]; m < start[c] + count[c]; m++) {
      if (!nonzero[m]) continue;
      support.push(order[m]);
      for (let f = 0; f < cols; f++) supportVectors.push(grouped[m * cols + f]);
      nSupport[c]++;
    }
  }
  const nSv = support.length;
  const svCoef = new Array<number>((k - 1) * nSv).fill(0);
  pairs.forEach(({ first, second }, p) => {
    const alpha = alphas[p];
    const ci = count[first];
    let q = nzStart[first];
    for (let m = 0; m < ci; m++) if (nonzero[start[first] + m]) svCoef[(second - 1) * nSv + q++] = alpha[m];
    q = nzStart[second];
    for (let m = 0; m < count[second]; m++) if (nonzero[start[second] + m]) svCoef[first * nSv + q++] = alpha[ci + m];
  });
  return { kind: 'rbf-svc', params, gamma: problem.gamma, classes: problem.classes, nFeatures: cols, support, nSupport, supportVectors, svCoef, rho, iterations };
}

/**
 * libsvm's `dec_values` (svm_predict_values) for each row: `rows × k(k-1)/2` values, row-major,
 * > 0 for a pair's first class. Each kernel value is computed once per support vector with
 * libsvm's prediction-time `k_function` (sum of squared differences over the features in order,
 * not the training-time expression); each pair then adds `coef · K` over class i's vectors, then
 * class j's, and subtracts its rho.
 */
export function svcOvoDecision(model: SvcModel, x: Matrix): Float64Array {
  if (x.cols !== model.nFeatures) throw new SvcFitError(`expected ${model.nFeatures} features, got ${x.cols}`);
  const cols = x.cols;
  const nSv = model.support.length;
  const negGamma = -model.gamma;
  const sv = Float64Array.from(model.supportVectors);
  const coef = Float64Array.from(model.svCoef);
  const svStart = svStarts(model.nSupport);
  const pairs = classPairs(model.classes.length);
  const out = new Float64Array(x.rows * pairs.length);
  const kvalue = new Float64Array(nSv);
  for (let r = 0; r < x.rows; r++) {
    const o = r * cols;
    for (let s = 0; s < nSv; s++) {
      let d2 = 0;
      for (let c = 0; c < cols; c++) {
        const d = x.data[o + c] - sv[s * cols + c];
        d2 += d * d;
      }
      kvalue[s] = Math.exp(negGamma * d2);
    }
    pairs.forEach(({ first: i, second: j }, p) => {
      let sum = 0;
      for (let s = svStart[i]; s < svStart[i] + model.nSupport[i]; s++) sum += coef[(j - 1) * nSv + s] * kvalue[s];
      for (let s = svStart[j]; s < svStart[j] + model.nSupport[j]; s++) sum += coef[i * nSv + s] * kvalue[s];
      out[r * pairs.length + p] = sum - model.rho[p];
    });
  }
  return out;
}

/** Where each class's support vectors start (libsvm's `start` in svm_predict_values). */
export function svStarts(nSupport: readonly number[]): number[] {
  const starts: number[] = [];
  let s = 0;
  for (const n of nSupport) {
    starts.push(s);
    s += n;
  }
  return starts;
}

/**
 * scikit-learn's `decision_function`: for two classes one value per row, positive for
 * `classes[1]` (libsvm's value negated); for k > 2 classes, k values per row, row-major
 * (`decision_function_shape="ovr"`, see `ovrDecision`).
 */
export function svcDecisionFunction(model: SvcModel, x: Matrix): Float64Array {
  const ovo = svcOvoDecision(model, x);
  const k = model.classes.length;
  return k === 2 ? ovo.map((v) => -v) : ovrDecision(ovo, x.rows, k);
}
