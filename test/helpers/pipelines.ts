/**
 * Pipelines on all-numeric rows, as most core tests build them: the ColumnTransformer is then a
 * mean imputer (which finds nothing to impute) and, when scaled, the MinMaxScaler.
 */
import { numericFeatures } from '../../src/core/feature-spec.js';
import type { GridPreprocessing } from '../../src/core/grid-search.js';
import type { Matrix } from '../../src/core/matrix.js';
import type { FittedPipeline, PipelineTask } from '../../src/core/pipeline.js';
import { transformColumns } from '../../src/core/preprocessing/column-transformer.js';
import type { Gamma } from '../../src/core/svc/svc.js';

/** The columns of `x`, named f0, f1, ... */
export const namesOf = (x: Matrix): string[] => Array.from({ length: x.cols }, (_, j) => `f${j}`);

export function numericPreprocessing(x: Matrix, scaled = true): GridPreprocessing {
  return { features: numericFeatures(namesOf(x)), params: { impute: 'mean', scaled } };
}

export function numericTask(task: { scaled: boolean; C: number; gamma: Gamma; x: Matrix; y: readonly string[] }): PipelineTask {
  const { features, params } = numericPreprocessing(task.x, task.scaled);
  return { features, preprocessing: params, C: task.C, gamma: task.gamma, x: task.x, y: task.y };
}

/** What the SVC of `pipeline` sees for raw rows `x`. */
export function seenBySvc(pipeline: FittedPipeline, x: Matrix): Matrix {
  return transformColumns(pipeline.preprocessor, x).x;
}
