import { FitWorkspace } from './fit-workspace.js';
import type { LibsvmRandom } from './libsvm-random.js';
import type { PlattParameters } from './platt-sigmoid.js';
import { sigmoidTrain } from './platt-sigmoid.js';
import { RbfQMatrix } from './rbf-q-matrix.js';
import type { SolverOptions } from './smo-solver.js';
import { solveCSvc } from './smo-solver.js';

/**
 * The two-class problem of one class pair, as libsvm's `svm_train` hands it to
 * `svm_binary_svc_probability`: the rows of the pair's first class (sign +1) then those of its
 * second (sign -1), each in training order. A binary `SvcProblem` is one (`grouped` is its rows).
 */
export interface PairProblem {
  /** Row-major, `signs.length × cols`. */
  readonly grouped: Float64Array;
  readonly cols: number;
  /** +1 for the pair's first class, -1 for its second. */
  readonly signs: Int8Array;
  /** The resolved RBF gamma of the whole fit. */
  readonly gamma: number;
}

const NR_FOLD = 5;

/**
 * scikit-learn's `probA_`, `probB_` for one class pair: `svm_binary_svc_probability`, i.e. 5-fold
 * cross-validated decision values, then Platt's sigmoid fitted to them. `Cp`, `Cn`: the C of the
 * pair's first and second class (`C · class_weight`); `solver`: the main fit's tol, shrinking and
 * max_iter. `rng` is libsvm's one generator: a multi-class fit passes the same instance to every
 * pair in libsvm's order (0,1), (0,2), …, (1,2), …, created with the fit's seed.
 */
export function binarySvcProbability(problem: PairProblem, Cp: number, Cn: number, solver: SolverOptions, rng: LibsvmRandom, workspace = new FitWorkspace()): PlattParameters {
  return sigmoidTrain(crossValidatedDecisionValues(problem, Cp, Cn, solver, rng, workspace), problem.signs);
}

/**
 * The decision values (libsvm's sign: positive means the pair's first class) of each row from a
 * C-SVC fitted without it: libsvm shuffles the rows with `rng`, cuts the shuffle into 5 contiguous
 * folds and fits on the other four. A fold whose training part holds one class only gets +1 or -1
 * (0 if it is empty) instead of a fit.
 */
export function crossValidatedDecisionValues(problem: PairProblem, Cp: number, Cn: number, solver: SolverOptions, rng: LibsvmRandom, workspace = new FitWorkspace()): Float64Array {
  const { signs } = problem;
  const l = signs.length;
  const perm = rng.permutation(l);
  const decision = new Float64Array(l);
  for (let fold = 0; fold < NR_FOLD; fold++) {
    const begin = Math.floor((fold * l) / NR_FOLD);
    const end = Math.floor(((fold + 1) * l) / NR_FOLD);
    const train = [...perm.subarray(0, begin), ...perm.subarray(end)];
    const heldOut = perm.subarray(begin, end);
    const positives = train.filter((k) => signs[k] > 0).length;
    const negatives = train.length - positives;
    if (positives === 0 || negatives === 0) {
      const constant = positives > 0 ? 1 : negatives > 0 ? -1 : 0;
      for (const k of heldOut) decision[k] = constant;
      continue;
    }
    // The sub-fit is a full `svm_train` with a copy of the main parameters: it reseeds first.
    rng.reseed();
    fitAndDecide(problem, train, heldOut, Cp, Cn, solver, workspace, decision);
  }
  return decision;
}

/**
 * libsvm's sub-fit on the `train` rows and its decision values for the `heldOut` rows, written into
 * `decision`. `svm_train` sorts the labels, so the sub-model's first class (solver sign +1, C = Cn)
 * is the pair's second class (-1 < +1), and libsvm multiplies its decision values by that label,
 * -1, to get back the pair's sign. The held-out values are `svm_predict_values`' arithmetic: the
 * prediction-time RBF kernel over the support vectors in order, minus rho. (scikit-learn 1.2.1 sums
 * each squared distance with BLAS `ddot`, whose order is the BLAS build's; this sums in feature
 * order, like mloop's predictor, so a value can differ from libsvm's in the last bits.)
 */
function fitAndDecide(
  problem: PairProblem,
  train: readonly number[],
  heldOut: Int32Array,
  Cp: number,
  Cn: number,
  solver: SolverOptions,
  workspace: FitWorkspace,
  decision: Float64Array,
): void {
  const { grouped, cols, signs } = problem;
  const order = [...train.filter((k) => signs[k] < 0), ...train.filter((k) => signs[k] > 0)];
  const l = order.length;
  const x = new Float64Array(l * cols);
  const y = new Int8Array(l);
  const upper = new Float64Array(l);
  order.forEach((src, k) => {
    x.set(grouped.subarray(src * cols, (src + 1) * cols), k * cols);
    y[k] = signs[src] < 0 ? 1 : -1;
    upper[k] = signs[src] < 0 ? Cn : Cp;
  });
  const q = new RbfQMatrix(x, cols, y, problem.gamma, undefined, workspace);
  const { alpha, rho } = solveCSvc(q, y, upper, solver);

  const support: number[] = [];
  const coef: number[] = [];
  for (let k = 0; k < l; k++) {
    const c = alpha[k] * y[k];
    if (Math.abs(c) > 0) {
      support.push(k);
      coef.push(c);
    }
  }
  const negGamma = -problem.gamma;
  for (const row of heldOut) {
    const z = row * cols;
    let sum = 0;
    for (let s = 0; s < support.length; s++) {
      const v = support[s] * cols;
      let d2 = 0;
      for (let c = 0; c < cols; c++) {
        const d = grouped[z + c] - x[v + c];
        d2 += d * d;
      }
      sum += coef[s] * Math.exp(negGamma * d2);
    }
    decision[row] = -(sum - rho);
  }
}
