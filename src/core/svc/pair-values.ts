import { blockSupportVectors, kernelValues, SV_BLOCK } from './kernel-values.js';
import { classPairs } from './one-vs-one.js';
import type { SvcModel } from './svc.js';
import { svStarts } from './svc.js';

/**
 * Writes libsvm's pair values (`dec_values` of `svm_predict_values`) of one row `z`, as the model
 * sees it, to `out[offset …]`.
 */
export type PairValues = (z: Float64Array, out: Float64Array, offset: number) => void;

/**
 * Writes libsvm's pair values of one row to `out[offset …]` from the row's kernel values, the value
 * of support vector s at `kvalue[from + s · stride]`.
 */
export type PairSums = (kvalue: Float64Array, from: number, stride: number, out: Float64Array, offset: number) => void;

/**
 * Each pair adds `coef · kvalue` over its first class's vectors, then its second's, and subtracts
 * its rho: libsvm's `svm_predict_values` after the kernel values.
 */
export function pairSumsOf(svc: SvcModel): PairSums {
  const nSv = svc.support.length;
  const coef = Float64Array.from(svc.svCoef);
  const rho = Float64Array.from(svc.rho);
  const start = svStarts(svc.nSupport);
  // Per pair: the ranges of its two classes' vectors and the coefficient row each reads.
  const pairs = classPairs(svc.classes.length).map(({ first: i, second: j }) => ({
    firstFrom: start[i],
    firstTo: start[i] + svc.nSupport[i],
    firstRow: (j - 1) * nSv,
    secondFrom: start[j],
    secondTo: start[j] + svc.nSupport[j],
    secondRow: i * nSv,
  }));
  return (kvalue, from, stride, out, offset) => {
    for (let p = 0; p < pairs.length; p++) {
      const { firstFrom, firstTo, firstRow, secondFrom, secondTo, secondRow } = pairs[p];
      let sum = 0;
      for (let s = firstFrom; s < firstTo; s++) sum += coef[firstRow + s] * kvalue[from + s * stride];
      for (let s = secondFrom; s < secondTo; s++) sum += coef[secondRow + s] * kvalue[from + s * stride];
      out[offset + p] = sum - rho[p];
    }
  };
}

/**
 * The serving arithmetic of a k-class model: the kernel value of each support vector is computed
 * once per row (libsvm's `kvalue`, see `kernelValues`); then each pair adds `coef · kvalue` over
 * its first class's vectors, then its second's, and subtracts its rho. The same doubles as
 * `svcOvoDecision`, the plain reference.
 */
export function pairValuesOf(svc: SvcModel): PairValues {
  const cols = svc.nFeatures;
  const vectors = blockSupportVectors(svc);
  const kvalue = new Float64Array(vectors.blocks * SV_BLOCK);
  const negGamma = -svc.gamma;
  const pairSums = pairSumsOf(svc);
  return (z, out, offset) => {
    kernelValues(z, vectors, cols, negGamma, kvalue);
    pairSums(kvalue, 0, 1, out, offset);
  };
}
