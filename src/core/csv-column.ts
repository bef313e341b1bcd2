import type { NaValues } from './na-values.js';

/**
 * The dtype pandas.read_csv's C parser gives a column: it tries int64 (then uint64 on overflow),
 * float64 and bool in turn, over every cell that is not a missing-value marker, and keeps the
 * text (object) when none fits. pandas 1.5, pandas/_libs/parsers.pyx `_convert_tokens`.
 */
export type CsvDtype = 'int64' | 'uint64' | 'float64' | 'bool' | 'object';

/** One column as pandas.read_csv(float_precision="round_trip") reads it. */
export interface CsvColumn {
  readonly dtype: CsvDtype;
  /** Numeric dtypes only: each cell's double; NaN = missing. */
  readonly numbers?: Float64Array;
  /** Row `r`'s cell as text: a number's canonical form (`4`, `0.5`), `True`/`False`, or the cell as
   *  written; undefined = missing. */
  readonly text: (r: number) => string | undefined;
}

export const isNumericDtype = (dtype: CsvDtype) => dtype === 'int64' || dtype === 'uint64' || dtype === 'float64';

// The C tokenizer's isspace_ascii: leading and trailing blanks around a number are allowed.
const INTEGER = /^[ \t\n\v\f\r]*([+-]?)(\d*)(.*)$/s;
const TRAILING_SPACE = /^[ \t\n\v\f\r]*$/;
// _str_copy_decimal_str_c copies sign, digits, '.', digits, exponent; PyOS_string_to_double must
// then read all of it, and only blanks may follow.
const FLOAT = /^[ \t\n\v\f\r]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[ \t\n\v\f\r]*$/;
// Checked with strcasecmp on the cell as is, so no blanks around them.
const INF = /^[+]?inf(inity)?$/i;
const NEG_INF = /^-inf(inity)?$/i;
const TRUE = new Set(['True', 'TRUE', 'true']);
const FALSE = new Set(['False', 'FALSE', 'false']);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

type Parse = 'ok' | 'invalid' | 'overflow';

/** tokenizer.c str_to_int64: overflow is reported as soon as the digits leave the range, even if
 *  what follows is not a number (so "99999999999999999999.5" overflows rather than being invalid). */
function int64Parse(cell: string): Parse {
  const [, sign, digits, rest] = INTEGER.exec(cell) as RegExpExecArray;
  if (digits === '') return 'invalid';
  if (digits.length > 18) {
    const value = sign === '-' ? -BigInt(digits) : BigInt(digits);
    if (value < INT64_MIN || value > INT64_MAX) return 'overflow';
  }
  return TRAILING_SPACE.test(rest) ? 'ok' : 'invalid';
}

/** An integer cell's double: rounded once from the exact integer, and 0 rather than -0, as numpy casts an int64. */
function integerValue(cell: string): number {
  const t = cell.trim();
  return t.length < 16 ? Number(t) + 0 : Number(BigInt(t));
}

interface UintState {
  seenSint: boolean;
  seenUint: boolean;
  seenNull: boolean;
}

/** tokenizer.c str_to_uint64: a minus sign is only noted, to reject the column afterwards. */
function uint64Parse(cell: string, state: UintState): Parse {
  const [, sign, digits, rest] = INTEGER.exec(cell) as RegExpExecArray;
  if (sign === '-') {
    state.seenSint = true;
    return 'ok';
  }
  if (digits === '') return 'invalid';
  const value = BigInt(digits);
  if (value > UINT64_MAX) return 'overflow';
  if (!TRAILING_SPACE.test(rest)) return 'invalid';
  if (value > INT64_MAX) state.seenUint = true;
  return 'ok';
}

/** A cell the float64 pass reads, and its value. pandas reads "1e999" (+inf by overflow) as text;
 *  mloop reads it as +inf, so that it is reported as not finite instead of making the column text. */
export function floatValue(cell: string): number | undefined {
  if (FLOAT.test(cell)) return Number(cell.trim());
  if (INF.test(cell)) return Infinity;
  if (NEG_INF.test(cell)) return -Infinity;
  return undefined;
}

/** The dtype, and for float64 the values read on the way. */
function inferDtype(cells: readonly string[], isNa: (cell: string) => boolean): { dtype: CsvDtype; floats?: Float64Array } {
  let int: Parse = 'ok';
  for (const cell of cells) {
    if (isNa(cell)) continue;
    int = int64Parse(cell);
    if (int !== 'ok') break;
  }
  if (int === 'ok') return { dtype: 'int64' };
  if (int === 'overflow') {
    const state: UintState = { seenSint: false, seenUint: false, seenNull: false };
    let uint: Parse = 'ok';
    for (const cell of cells) {
      if (isNa(cell)) {
        state.seenNull = true;
        continue;
      }
      uint = uint64Parse(cell, state);
      if (uint !== 'ok') break;
    }
    // An overflow, a negative number, or a missing cell beside a value past int64 leaves the text.
    if (uint === 'overflow') return { dtype: 'object' };
    if (uint === 'ok') return { dtype: state.seenSint || (state.seenUint && state.seenNull) ? 'object' : 'uint64' };
  }
  const floats = new Float64Array(cells.length);
  const isFloat = cells.every((cell, r) => {
    if (isNa(cell)) return (floats[r] = Number.NaN), true;
    const value = floatValue(cell);
    return value !== undefined && ((floats[r] = value), true);
  });
  if (isFloat) return { dtype: 'float64', floats };
  if (cells.every((cell) => isNa(cell) || TRUE.has(cell) || FALSE.has(cell))) return { dtype: 'bool' };
  return { dtype: 'object' };
}

/** The text of a number cell as a label or category: exact for integers, shortest round-trip for doubles. */
export function numberText(cell: string, dtype: CsvDtype): string {
  if (dtype !== 'float64' && int64Parse(cell) !== 'invalid') return String(BigInt(cell.trim()));
  return String(floatValue(cell));
}

export function readCsvColumn(cells: readonly string[], na: NaValues): CsvColumn {
  const isNa = (cell: string) => na.strings.has(cell);
  const { dtype: parsed, floats } = inferDtype(cells, isNa);
  const anyNa = cells.some(isNa);
  // pandas then upcasts: an integer column with a missing cell to float64, a bool one to object.
  const dtype = parsed === 'int64' && anyNa ? 'float64' : parsed === 'bool' && anyNa ? 'object' : parsed;
  if (parsed === 'object') return { dtype, text: (r) => (isNa(cells[r]) ? undefined : cells[r]) };
  if (parsed === 'bool') return { dtype, text: (r) => (isNa(cells[r]) ? undefined : TRUE.has(cells[r]) ? 'True' : 'False') };
  // The float values of na_values apply only in the float64 pass (_try_double), not to integers.
  const numbers = floats?.map((v) => (na.numbers.has(v) ? Number.NaN : v)) ?? Float64Array.from(cells, (cell) => (isNa(cell) ? Number.NaN : integerValue(cell)));
  return { dtype, numbers, text: (r) => (Number.isNaN(numbers[r]) ? undefined : numberText(cells[r], dtype)) };
}
