import { describe, expect, it } from 'vitest';
import { RandomState, RandomStateError } from '../../src/core/random-state.js';
import { readGolden } from '../helpers/wdbc.js';

interface RandomStateGolden {
  readonly uint32: Record<string, number[]>;
  readonly uint32_from_620_seed_20: number[];
  readonly permutations: { seed: number; n: number; permutation: number[] }[];
  readonly sequence_seed_7: number[][];
}

const golden = readGolden<RandomStateGolden>('random_state');

function draws(rng: RandomState, count: number): number[] {
  return Array.from({ length: count }, () => rng.nextUint32());
}

describe('RandomState (numpy legacy MT19937)', () => {
  it.each(Object.entries(golden.uint32))('matches the first uint32 draws for seed %s', (seed, expected) => {
    expect(draws(new RandomState(Number(seed)), expected.length)).toEqual(expected);
  });

  it('matches numpy across the 624-word state regeneration', () => {
    const rng = new RandomState(20);
    draws(rng, 620);
    expect(draws(rng, golden.uint32_from_620_seed_20.length)).toEqual(golden.uint32_from_620_seed_20);
  });

  it.each(golden.permutations.map((p) => [p.seed, p.n, p.permutation] as const))(
    'permutation(%i) of RandomState(%i) matches numpy',
    (seed, n, expected) => {
      expect(Array.from(new RandomState(seed).permutation(n))).toEqual(expected);
    },
  );

  it('carries its state over from one permutation to the next, as numpy does', () => {
    const rng = new RandomState(7);
    const got = golden.sequence_seed_7.map((p) => Array.from(rng.permutation(p.length)));
    expect(got).toEqual(golden.sequence_seed_7);
  });

  it('handles permutations of length 0 and 1 without drawing', () => {
    const rng = new RandomState(3);
    expect(Array.from(rng.permutation(0))).toEqual([]);
    expect(Array.from(rng.permutation(1))).toEqual([0]);
    expect(rng.nextUint32()).toBe(new RandomState(3).nextUint32());
  });

  it('keeps randomInterval within [0, max]', () => {
    const rng = new RandomState(11);
    for (const max of [0, 1, 2, 5, 1000, 0xffffffff]) {
      for (let k = 0; k < 50; k++) {
        const v = rng.randomInterval(max);
        expect(v >= 0 && v <= max).toBe(true);
      }
    }
  });

  it.each([-1, 1.5, 2 ** 32, Number.NaN])('rejects the seed %s with a clear error', (seed) => {
    expect(() => new RandomState(seed)).toThrow(RandomStateError);
    expect(() => new RandomState(seed)).toThrow(/between 0 and 2\*\*32 - 1/);
  });

  it('rejects a negative permutation length', () => {
    expect(() => new RandomState(0).permutation(-1)).toThrow(/non-negative integer/);
  });
});
