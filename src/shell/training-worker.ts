import type { EstimatorTask, FittedEstimator } from '../core/estimator.js';
import { fitEstimator } from '../core/estimator.js';
import type { GridCandidate } from '../core/grid-search.js';
import { scoreGridTask } from '../core/grid-search.js';

/** The work that training-pool.ts sends to its worker threads. */
export type WorkerTask =
  | {
      readonly kind: 'score';
      readonly x: Float64Array;
      readonly rows: number;
      readonly cols: number;
      readonly y: readonly string[];
      readonly train: Int32Array;
      readonly test: Int32Array;
      readonly candidate: GridCandidate;
    }
  | { readonly kind: 'fit'; readonly task: EstimatorTask };

export default function runTask(job: WorkerTask): number | FittedEstimator {
  if (job.kind === 'fit') return fitEstimator(job.task);
  return scoreGridTask({ rows: job.rows, cols: job.cols, data: job.x }, job.y, { train: job.train, test: job.test }, job.candidate);
}
