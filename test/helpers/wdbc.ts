/**
 * Test-only access to the Wisconsin breast cancer CSV and to the scikit-learn golden files
 * written by scripts/make-golden.py.
 */
import { readFileSync } from 'node:fs';
import type { FeatureSpec } from '../../src/core/feature-spec.js';
import { numericFeatures } from '../../src/core/feature-spec.js';
import type { Matrix } from '../../src/core/matrix.js';

export interface Wdbc {
  readonly x: Matrix;
  readonly y: string[];
  readonly featureNames: string[];
  /** The 30 numeric features, as the reader describes them. */
  readonly features: FeatureSpec[];
}

/** data/wdbc.csv has no quoted fields, so splitting on commas is enough here. */
export function loadWdbc(): Wdbc {
  const text = readFileSync(new URL('../../data/wdbc.csv', import.meta.url), 'utf8');
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const header = lines[0].split(',');
  const target = header.indexOf('diagnosis');
  if (target < 0) throw new Error('data/wdbc.csv has no diagnosis column');
  const featureNames = header.filter((_, j) => j !== target);
  const rows = lines.length - 1;
  const data = new Float64Array(rows * featureNames.length);
  const y: string[] = [];
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`data/wdbc.csv row ${i + 1} has ${cells.length} cells`);
    let col = 0;
    cells.forEach((cell, j) => {
      if (j === target) y.push(cell);
      else data[i * featureNames.length + col++] = Number(cell);
    });
  });
  return { x: { rows, cols: featureNames.length, data }, y, featureNames, features: numericFeatures(featureNames) };
}

export interface GoldenScores {
  readonly precision: number;
  readonly recall: number;
  readonly 'f1-score': number;
  readonly support: number;
}

export interface GoldenMode {
  readonly params: { readonly C: number; readonly gamma: number | string };
  readonly gamma: number;
  readonly C: number;
  readonly n_support: number[];
  readonly support: number[];
  readonly dual_coef: number[];
  readonly intercept: number[];
  readonly decision_function: number[];
  readonly predictions: string[];
  readonly confusion_matrix: number[][];
  readonly report: Record<string, GoldenScores | number>;
  readonly report_text: string;
  readonly recall_positive: number;
  readonly recall_macro: number;
}

export interface GoldenCase {
  readonly case: string;
  readonly sklearn_version: string;
  readonly numpy_version: string;
  readonly split: { readonly test_size: number; readonly random_state: number; readonly stratify: boolean };
  readonly train_indices: number[];
  readonly test_indices: number[];
  readonly cv_test_folds: number[];
  readonly scaler: {
    readonly data_min: number[];
    readonly data_max: number[];
    readonly data_range: number[];
    readonly scale: number[];
    readonly min: number[];
  };
  readonly X_train_var: number;
  readonly X_train_scaled_var: number;
  readonly modes: Readonly<Record<string, GoldenMode>>;
}

/** The four split cases, each with the basic, normalized and gridsearch modes. */
export const GOLDEN_CASES = ['default', 'ts25-rs42', 'ts30-rs0', 'stratified'] as const;
/** Every golden file in the wdbc format, including the one with a single gamma='auto' mode. */
export const ALL_GOLDEN_CASES = [...GOLDEN_CASES, 'gamma-auto-basic'] as const;

export function readGolden<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../golden/${name}.json`, import.meta.url), 'utf8')) as T;
}

export function loadGoldenCase(name: string): GoldenCase {
  return readGolden<GoldenCase>(name);
}
