import { bundledCsv } from './fixtures.js';

const logspace = (from: number, to: number, n: number) => Array.from({ length: n }, (_, k) => 10 ** (from + ((to - from) * k) / (n - 1)));

/**
 * A grid within the limits (20 C values × 16 gammas, with `cv: 3` 960 fits) that keeps two
 * threads busy for 5 to 10 s on the bundled data: a training long enough to stop midway.
 */
export const slowGrid = { C: logspace(0, 4, 20), gamma: logspace(-3, 2, 16) };

const jitter = 0.05;
/** A deterministic value in [-1, 1] for one cell of one copy. */
const wave = (copy: number, row: number, column: number) => Math.sin(copy * 12.9898 + row * 78.233 + column * 37.719);

/**
 * The bundled data `copies` times over, each cell of each further copy moved by up to 5% (a
 * deterministic wave, so no two rows are the same): with 12 copies (6,828 rows), `slowGrid` takes
 * over a minute on two quiet cores (measured: 71 s; 4 copies took 12 s, too close to a shutdown's
 * grace on a quiet machine), a training that surely outlasts a stop, while the default training
 * stays at about two seconds.
 */
export function largerCsv(copies: number): string {
  const [header, ...rows] = bundledCsv.trimEnd().split('\n');
  const lines = [header];
  for (let copy = 0; copy < copies; copy++) {
    rows.forEach((row, i) => {
      lines.push(row.split(',').map((cell, j) => (j === 0 || copy === 0 ? cell : String(Number(cell) * (1 + jitter * wave(copy, i, j))))).join(','));
    });
  }
  return `${lines.join('\n')}\n`;
}
