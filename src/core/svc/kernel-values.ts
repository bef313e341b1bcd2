import { interleaveRows } from '../matrix.js';
import type { SvcModel } from './svc.js';

/** Support vectors whose distances one pass over the features computes together. */
export const SV_BLOCK = 8;

/** A model's support vectors laid out for the serving loops. */
export interface BlockedSupportVectors {
  /** Feature c of vectors s..s+7 side by side; the last block is filled up with zero vectors. */
  readonly blocked: Float64Array;
  readonly blocks: number;
}

export function blockSupportVectors(svc: SvcModel): BlockedSupportVectors {
  const nSv = svc.support.length;
  const blocks = Math.ceil(nSv / SV_BLOCK);
  return { blocked: interleaveRows(svc.supportVectors, nSv, svc.nFeatures, SV_BLOCK, blocks), blocks };
}

/**
 * libsvm's `kvalue` of one row `z`: `exp(-γ · Σ_c (z_c - sv_sc)²)` for every support vector
 * (padding included) into `out`, each squared distance summed over the features in order as the
 * dense `k_function` sums it: eight distances computed side by side change the speed (independent
 * sums overlap in the CPU), never a rounding.
 */
export function kernelValues(z: Float64Array, { blocked, blocks }: BlockedSupportVectors, cols: number, negGamma: number, out: Float64Array): void {
  for (let b = 0, i = 0; b < blocks; b++) {
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    let d4 = 0;
    let d5 = 0;
    let d6 = 0;
    let d7 = 0;
    for (let c = 0; c < cols; c++, i += SV_BLOCK) {
      const v = z[c];
      const e0 = v - blocked[i];
      d0 += e0 * e0;
      const e1 = v - blocked[i + 1];
      d1 += e1 * e1;
      const e2 = v - blocked[i + 2];
      d2 += e2 * e2;
      const e3 = v - blocked[i + 3];
      d3 += e3 * e3;
      const e4 = v - blocked[i + 4];
      d4 += e4 * e4;
      const e5 = v - blocked[i + 5];
      d5 += e5 * e5;
      const e6 = v - blocked[i + 6];
      d6 += e6 * e6;
      const e7 = v - blocked[i + 7];
      d7 += e7 * e7;
    }
    const s = b * SV_BLOCK;
    out[s] = Math.exp(negGamma * d0);
    out[s + 1] = Math.exp(negGamma * d1);
    out[s + 2] = Math.exp(negGamma * d2);
    out[s + 3] = Math.exp(negGamma * d3);
    out[s + 4] = Math.exp(negGamma * d4);
    out[s + 5] = Math.exp(negGamma * d5);
    out[s + 6] = Math.exp(negGamma * d6);
    out[s + 7] = Math.exp(negGamma * d7);
  }
}
