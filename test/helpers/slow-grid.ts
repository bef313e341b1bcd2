const logspace = (from: number, to: number, n: number) => Array.from({ length: n }, (_, k) => 10 ** (from + ((to - from) * k) / (n - 1)));

/**
 * A grid within the limits (20 C values × 16 gammas, with `cv: 3` 960 fits) that keeps two
 * threads busy for about 10 s on the bundled data: a training long enough to stop midway.
 */
export const slowGrid = { C: logspace(0, 4, 20), gamma: logspace(-3, 2, 16) };
