import { binarySvcProbability } from './binary-svc-probability.js';
import { LibsvmRandom, libsvmSeed } from './libsvm-random.js';
import { predictProbabilities } from './pairwise-coupling.js';
import type { Matrix } from '../matrix.js';
import type { SvcModel, SvcParams } from './svc.js';
import { fitSvc } from './svc.js';

/**
 * `SVC(probability=True, random_state=randomState).fit(x, y)`: the same model as `fitSvc` (the pairs'
 * duals do not depend on the probability fit) plus each pair's Platt sigmoid. libsvm fits a pair's
 * sigmoid right before it solves the pair, all pairs drawing from one generator seeded once
 * (`svm_train`'s `set_seed`), so the sigmoids are fitted in the pair loop, in libsvm's order.
 */
export function fitSvcWithProbability(params: SvcParams, x: Matrix, y: readonly string[], randomState: number): SvcModel {
  const rng = new LibsvmRandom(libsvmSeed(randomState));
  const solver = { eps: params.tol, shrinking: params.shrinking, maxIter: params.maxIter };
  const probA: number[] = [];
  const probB: number[] = [];
  const model = fitSvc(params, x, y, {
    beforePair: ({ problem, gamma, Cp, Cn }) => {
      const cols = problem.x.length / problem.y.length;
      const platt = binarySvcProbability({ grouped: problem.x, cols, signs: problem.y, gamma }, Cp, Cn, solver, rng);
      probA.push(platt.probA);
      probB.push(platt.probB);
    },
  });
  return { ...model, probA, probB };
}

/** The model has Platt scaling (was fitted with probabilities). */
export function hasProbabilities(model: Pick<SvcModel, 'probA' | 'probB'>): model is { readonly probA: readonly number[]; readonly probB: readonly number[] } {
  return Array.isArray(model.probA) && Array.isArray(model.probB);
}

/**
 * `predict_proba` from libsvm's pair values (`Predictions.ovo`): rows × k, classes in the model's
 * order; null for a model without Platt scaling.
 */
export function svcProbabilities(model: Pick<SvcModel, 'probA' | 'probB' | 'classes'>, ovo: ArrayLike<number>): Float64Array | null {
  if (!hasProbabilities(model)) return null;
  return predictProbabilities(ovo, model.probA, model.probB, model.classes.length);
}
