/** The cells that mean "missing" unless configured otherwise (dataset.naValues). */
export const DEFAULT_NA_VALUES: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?'];

/**
 * The missing-value markers as pandas.read_csv(na_values=..., keep_default_na=False) applies them:
 * a cell equal to one of `strings` is missing in any column; in a float column, a cell whose value
 * is one of `numbers` is missing too (so na_values=["-999"] also catches "-999.00" there).
 */
export interface NaValues {
  readonly strings: ReadonlySet<string>;
  readonly numbers: ReadonlySet<number>;
}

// Python's float() and int() on a string, which pandas applies to each na_values entry.
const PY_FLOAT = /^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/;
const PY_INF = /^[+-]?(inf|infinity)$/i;
const PY_NAN = /^[+-]?nan$/i;
const PY_INT = /^[+-]?\d(_?\d)*$/;

function pyFloat(text: string): number | undefined {
  const t = text.trim();
  if (PY_FLOAT.test(t)) return Number(t.replace(/_/g, ''));
  if (PY_INF.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (PY_NAN.test(t)) return Number.NaN;
  return undefined;
}

function pyInt(text: string): bigint | undefined {
  const t = text.trim();
  return PY_INT.test(t) ? BigInt(t.replace(/_/g, '')) : undefined;
}

/** Python's repr of a finite double: the shortest round-trip digits, in exponent form below 1e-4 or from 1e16. */
function pyRepr(v: number): string {
  const [mantissa, exp] = v.toExponential().split('e');
  const e = Number(exp);
  if (e >= -4 && e < 16) return String(v);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** pandas' _stringify_na_values and _floatify_na_values (pandas/io/parsers/readers.py, 1.5). */
export function naValuesOf(values: readonly string[]): NaValues {
  const strings = new Set<string>();
  for (const x of values) {
    strings.add(x);
    const v = pyFloat(x);
    // int(v) raises for nan and inf, which skips the float forms.
    if (v !== undefined && Number.isFinite(v)) {
      if (Number.isInteger(v)) {
        const i = BigInt(v);
        strings.add(`${i}.0`).add(String(i));
      } else {
        strings.add(pyRepr(v));
      }
    }
    const i = pyInt(x);
    if (i !== undefined) strings.add(String(i));
  }
  const numbers = new Set<number>();
  for (const s of strings) {
    const v = pyFloat(s);
    if (v !== undefined && !Number.isNaN(v)) numbers.add(v);
  }
  return { strings, numbers };
}
