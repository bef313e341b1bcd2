/**
 * The data of every workload, built once from data/wdbc.csv with mloop's own parser and split,
 * and written as raw float64 files so the Python side reads exactly the same numbers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureSpec } from '../../src/core/feature-spec.js';
import type { Matrix } from '../../src/core/matrix.js';
import type { MloopCore } from './mloop.js';
import { wdbcCsv } from './mloop.js';

export interface BenchData {
  readonly featureNames: readonly string[];
  readonly features: readonly FeatureSpec[];
  readonly all: Matrix;
  readonly trainX: Matrix;
  readonly trainY: readonly string[];
  readonly testX: Matrix;
  readonly testY: readonly string[];
}

/** The defaults of mloop's configuration and of the tutorial: test_size 0.2, random_state 20. */
export const split = { testSize: 0.2, randomState: 20, stratify: false } as const;

export function loadBenchData(core: MloopCore): BenchData {
  const dataset = core.dataset.parseDataset(readFileSync(wdbcCsv, 'utf8'), { label: 'diagnosis', positive: 'M', drop: ['id'] });
  const { train, test } = core.training.splitDataset(dataset, split);
  return {
    featureNames: dataset.featureNames,
    features: dataset.features,
    all: dataset.x,
    trainX: core.matrix.takeRows(dataset.x, train),
    trainY: core.matrix.take(dataset.y, train),
    testX: core.matrix.takeRows(dataset.x, test),
    testY: core.matrix.take(dataset.y, test),
  };
}

/** `rows` rows: the data set's rows over and over (the cost of a prediction does not depend on the values). */
export function tileRows(x: Matrix, rows: number): Matrix {
  const data = new Float64Array(rows * x.cols);
  for (let r = 0; r < rows; r++) data.set(x.data.subarray((r % x.rows) * x.cols, ((r % x.rows) + 1) * x.cols), r * x.cols);
  return { rows, cols: x.cols, data };
}

/** mulberry32: a small seeded generator, so the replicated data (and the soak's request mix) is the same on every run. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative size of the noise: a hundredth of each feature's standard deviation. */
export const noiseScale = 0.01;

/**
 * The training rows `factor` times: the first copy as is, every other copy with Gaussian noise of
 * `noiseScale` × the feature's standard deviation (fixed seed), labels repeated.
 */
export function replicate(x: Matrix, y: readonly string[], factor: number, seed = 20): { x: Matrix; y: string[] } {
  const { rows, cols } = x;
  const std = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += x.data[r * cols + c];
    mean /= rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (x.data[r * cols + c] - mean) ** 2;
    std[c] = Math.sqrt(v / rows);
  }
  const random = seeded(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const data = new Float64Array(rows * cols * factor);
  data.set(x.data);
  for (let i = x.data.length; i < data.length; i++) data[i] = x.data[i % x.data.length] + noiseScale * std[i % cols] * gaussian();
  return { x: { rows: rows * factor, cols, data }, y: Array.from({ length: rows * factor }, (_, i) => y[i % rows]) };
}

/** A matrix as the Python side reads it (`np.fromfile(path, '<f8').reshape(rows, cols)`). */
export interface MatrixFile {
  readonly path: string;
  readonly rows: number;
  readonly cols: number;
  readonly labels: string | null;
}

export function writeMatrix(dir: string, name: string, x: Matrix, y?: readonly string[]): MatrixFile {
  const path = join(dir, `${name}.f64`);
  // Float64Array is little-endian on every platform Node runs on here (x86-64, arm64).
  writeFileSync(path, new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
  let labels: string | null = null;
  if (y) {
    labels = join(dir, `${name}.labels.json`);
    writeFileSync(labels, JSON.stringify(y));
  }
  return { path, rows: x.rows, cols: x.cols, labels };
}
