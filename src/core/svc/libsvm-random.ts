import { RandomState } from '../random-state.js';

/**
 * The random generator of scikit-learn's libsvm (`newrand.h`): one `std::mt19937` for the whole
 * library, reseeded with `set_seed(param->random_seed)` at the start of every `svm_train`, and
 * `bounded_rand_int`, the only way libsvm draws (for `SVC(probability=True)`, the shuffle of each
 * class pair's cross-validation).
 *
 * `std::mt19937` seeded with a 32-bit value is Matsumoto and Nishimura's `init_genrand` and the
 * reference tempering, which is numpy's legacy MT19937 too, so the 32-bit draws come from
 * `RandomState` (`int` is 32 bits on the platforms scikit-learn builds for, so newrand.h picks
 * `std::mt19937`, not `std::mt19937_64`).
 */
export class LibsvmRandom {
  private mt: RandomState;

  /** `seed`: libsvm's `param->random_seed` (see `libsvmSeed`); the generator starts seeded with it. */
  constructor(readonly seed: number) {
    this.mt = new RandomState(seed);
  }

  /**
   * What every `svm_train` does first, the sub-fits of the probability cross-validation included:
   * their parameters are a copy of the main ones, `random_seed` and all.
   */
  reseed(): void {
    this.mt = new RandomState(this.seed);
  }

  nextUint32(): number {
    return this.mt.nextUint32();
  }

  /**
   * newrand.h's `bounded_rand_int(range)`: Lemire's multiply-and-reject method for a uniform integer
   * in [0, range). The 64-bit product `x · range` is formed from two exact 48-bit products.
   */
  boundedRandInt(range: number): number {
    let x = this.nextUint32();
    let low = Math.imul(x, range) >>> 0;
    if (low < range) {
      // (2³² - range) mod range, the way newrand.h reduces it.
      let t = (0x100000000 - range) >>> 0;
      if (t >= range) {
        t -= range;
        if (t >= range) t %= range;
      }
      while (low < t) {
        x = this.nextUint32();
        low = Math.imul(x, range) >>> 0;
      }
    }
    return highProduct(x, range);
  }

  /** `0 … n-1` shuffled the way `svm_binary_svc_probability` shuffles a pair's rows. */
  permutation(n: number): Int32Array {
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = 0; i < n; i++) {
      const j = i + this.boundedRandInt(n - i);
      const tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    return perm;
  }
}

/** `(x · range) >> 32` for 32-bit unsigned x and range, exactly. */
function highProduct(x: number, range: number): number {
  const lowPart = (x & 0xffff) * range;
  const highPart = (x >>> 16) * range;
  return Math.floor((highPart + Math.floor(lowPart / 0x10000)) / 0x10000);
}

/** `np.iinfo("i").max`: the bound scikit-learn draws libsvm's seed below. */
const INT_MAX = 0x7fffffff;

/**
 * libsvm's `random_seed` for `SVC(random_state=randomState)`: `BaseLibSVM.fit` draws it as
 * `check_random_state(randomState).randint(np.iinfo("i").max)`. numpy's legacy `randint(high)`
 * draws masked 32-bit values in [0, high - 1], i.e. `random_interval(high - 1)`.
 */
export function libsvmSeed(randomState: number): number {
  return new RandomState(randomState).randomInterval(INT_MAX - 1);
}
