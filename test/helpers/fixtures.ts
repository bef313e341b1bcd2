/**
 * Data files the tests write for themselves from the bundled data set, so that a fresh clone
 * passes without anything outside the repository.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const bundledCsv = readFileSync(new URL('../../data/wdbc.csv', import.meta.url), 'utf8');

export function tempDir(prefix = 'mloop-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The tutorial's own layout (Kaggle's data.csv): quoted header with an `id` first, `diagnosis`,
 * the 30 features and a trailing comma (pandas reads it as an empty `Unnamed: 32` column), CRLF
 * line ends, and data rows without the trailing comma. `rows` limits the data rows (the tutorial's
 * data_partial.csv held the first 99).
 */
export function tutorialLayoutCsv(rows?: number): string {
  const [header, ...lines] = bundledCsv.trimEnd().split('\n');
  const names = header.split(',');
  const head = ['"id"', ...names.map((n) => `"${n}"`)].join(',') + ',';
  const body = lines.slice(0, rows ?? lines.length).map((line, i) => `${842302 + i},${line}`);
  return [head, ...body].join('\r\n') + '\r\n';
}

/** The bundled CSV with one cell replaced: data row `row` (0-based), column `column`. */
export function csvWithCell(row: number, column: string, value: string): string {
  const [header, ...lines] = bundledCsv.trimEnd().split('\n');
  const c = header.split(',').indexOf(column);
  if (c < 0) throw new Error(`no column ${column}`);
  const cells = lines[row].split(',');
  cells[c] = value;
  lines[row] = cells.join(',');
  return [header, ...lines].join('\n') + '\n';
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The first malignant row of the bundled data (the tutorial's curl example), as 30 numbers. */
export const malignantRow = [17.99, 10.38, 122.8, 1001, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601, 0.1189];
