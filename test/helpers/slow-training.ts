import { bundledCsv } from './fixtures.js';

const logspace = (from: number, to: number, n: number) => Array.from({ length: n }, (_, k) => 10 ** (from + ((to - from) * k) / (n - 1)));

/**
 * A grid within the limits (20 C values × 16 gammas, with `cv: 3` 960 fits) that keeps two
 * threads busy for 5 to 10 s on the bundled data: a training long enough to stop midway.
 */
export const slowGrid = { C: logspace(0, 4, 20), gamma: logspace(-3, 2, 16) };

/**
 * The bundled data `copies` times over, each copy's measurements shifted by a small deterministic
 * factor (so no two rows are the same): with 4 copies, `slowGrid` takes minutes, a training that
 * surely outlasts a shutdown's grace, while the default training stays at about a second.
 */
export function largerCsv(copies: number): string {
  const [header, ...rows] = bundledCsv.trimEnd().split('\n');
  const lines = [header];
  for (let copy = 0; copy < copies; copy++) {
    const factor = 1 + copy / 1000;
    for (const row of rows) lines.push(row.split(',').map((cell, j) => (j === 0 ? cell : String(Number(cell) * factor))).join(','));
  }
  return `${lines.join('\n')}\n`;
}
