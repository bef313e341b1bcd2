/**
 * The order numpy gives labels and categories (`np.unique`), which fixes scikit-learn's `classes_`
 * and so the order of every per-class output: numbers by value when the column was read as
 * numbers, strings by Unicode code point otherwise.
 */

/**
 * Orders strings by Unicode code point, as numpy sorts str arrays; plain `<` compares UTF-16 code
 * units and misorders astral characters against U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const ua = a.charCodeAt(i);
    const ub = b.charCodeAt(i);
    if (ua !== ub) return codePointRank(ua) - codePointRank(ub);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** A label as the reader writes a number: `String(value)` of a finite double ("4", "2.5", "1e+21"). */
function numberOf(label: string): number {
  const value = Number(label);
  return label !== '' && Number.isFinite(value) && String(value) === label ? value : Number.NaN;
}

/**
 * The distinct labels in `np.unique` order. The reader writes a label column that pandas reads as
 * numbers with `String(value)` (class 2 and 4 are "2" and "4"), so when every label is such a
 * number they sort by value ("2" < "10"), as np.unique sorts an int or float column; otherwise by
 * code point, as it sorts an object column.
 */
export function sortedLabels(labels: Iterable<string>): string[] {
  const distinct = [...new Set(labels)];
  const numbers = distinct.map(numberOf);
  if (numbers.every((n) => !Number.isNaN(n))) return distinct.map((label, i) => ({ label, n: numbers[i] })).sort((a, b) => a.n - b.n).map((e) => e.label);
  return distinct.sort(compareCodePoints);
}
