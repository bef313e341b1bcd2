/**
 * numpy's legacy `np.random.RandomState(seed)` for integer seeds: the generator scikit-learn's
 * `check_random_state(int)` builds. Only what the splitters need is here, but each draw is the
 * same as numpy's, so splits are identical to scikit-learn's for the same `random_state`.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class RandomStateError extends Error {
  override readonly name = 'RandomStateError';
}

export class RandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;

  /** `seed` must be an integer in [0, 2**32 - 1], the range numpy accepts for legacy seeding. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RandomStateError(`randomState must be an integer between 0 and 2**32 - 1, got ${String(seed)}`);
    }
    // numpy's mt19937_seed, i.e. Matsumoto and Nishimura's init_genrand.
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.key[i] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
  }

  nextUint32(): number {
    if (this.pos >= N) this.regenerate();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * numpy's `random_interval(max)`: a uniform integer in [0, max] by masking 32-bit draws to
   * the smallest all-ones mask >= max and rejecting values above max. The number of draws it
   * consumes is part of the contract: later splits depend on it.
   */
  randomInterval(max: number): number {
    if (max === 0) return 0;
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw new RandomStateError(`randomInterval supports 0 <= max <= 2**32 - 1, got ${String(max)}`);
    }
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /** Shuffles in place exactly as numpy's legacy `RandomState.shuffle` does for a 1-D array. */
  shuffle(values: Int32Array | number[]): void {
    for (let i = values.length - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const tmp = values[j];
      values[j] = values[i];
      values[i] = tmp;
    }
  }

  /** numpy's `RandomState.permutation(n)`: `arange(n)` shuffled. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new RandomStateError(`permutation needs a non-negative integer length, got ${String(n)}`);
    }
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    this.shuffle(out);
    return out;
  }

  /** The reference MT19937 state regeneration ("twist"). */
  private regenerate(): void {
    const key = this.key;
    let y: number;
    let k = 0;
    for (; k < N - M; k++) {
      y = (key[k] & UPPER_MASK) | (key[k + 1] & LOWER_MASK);
      key[k] = key[k + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      y = (key[k] & UPPER_MASK) | (key[k + 1] & LOWER_MASK);
      key[k] = key[k + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (key[N - 1] & UPPER_MASK) | (key[0] & LOWER_MASK);
    key[N - 1] = key[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }
}
