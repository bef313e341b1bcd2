/**
 * A dense, row-major matrix of doubles: the one numeric container of the ML core.
 * Rows are samples and columns are features, as in scikit-learn's `X`.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major values: element (i, j) is `data[i * cols + j]`. */
  readonly data: Float64Array;
}

export function matrixFromRows(rows: readonly (readonly number[])[], cols?: number): Matrix {
  const width = cols ?? (rows[0]?.length ?? 0);
  const data = new Float64Array(rows.length * width);
  rows.forEach((row, i) => data.set(row, i * width));
  return { rows: rows.length, cols: width, data };
}

/** The rows at `indices`, in that order (numpy's `X[indices]`). */
export function takeRows(x: Matrix, indices: ArrayLike<number>): Matrix {
  const data = new Float64Array(indices.length * x.cols);
  for (let k = 0; k < indices.length; k++) {
    const start = indices[k] * x.cols;
    data.set(x.data.subarray(start, start + x.cols), k * x.cols);
  }
  return { rows: indices.length, cols: x.cols, data };
}

/** The columns at `indices`, in that order (numpy's `X[:, indices]`). */
export function takeColumns(x: Matrix, indices: readonly number[]): Matrix {
  const cols = indices.length;
  const data = new Float64Array(x.rows * cols);
  for (let i = 0; i < x.rows; i++) {
    for (let k = 0; k < cols; k++) data[i * cols + k] = x.data[i * x.cols + indices[k]];
  }
  return { rows: x.rows, cols, data };
}

export function row(x: Matrix, i: number): Float64Array {
  return x.data.subarray(i * x.cols, (i + 1) * x.cols);
}

export function take<T>(values: readonly T[], indices: ArrayLike<number>): T[] {
  const out: T[] = new Array<T>(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = values[indices[k]];
  return out;
}

/**
 * The first `rows` rows of row-major `data` (`cols` wide) interleaved in blocks of `block` rows:
 * feature c of rows `b·block … b·block + block - 1` side by side at `(b · cols + c) · block`. One
 * pass over the features then reads a block's values in order and keeps `block` independent sums
 * going (the kernel loops). The result holds `blocks` blocks; rows past `rows` stay zero.
 */
export function interleaveRows(data: ArrayLike<number>, rows: number, cols: number, block: number, blocks = Math.ceil(rows / block)): Float64Array {
  const out = new Float64Array(blocks * block * cols);
  for (let r = 0; r < rows; r++) {
    const base = (r - (r % block)) * cols + (r % block);
    for (let c = 0; c < cols; c++) out[base + c * block] = data[r * cols + c];
  }
  return out;
}
