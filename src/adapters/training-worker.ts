import type { FittedPipeline, PipelineTask } from '../core/pipeline.js';
import { fitPipeline } from '../core/pipeline.js';
import type { GridPreprocessing } from '../core/grid-search.js';
import { scoreGridGroup } from '../core/grid-search.js';
import { FitWorkspace } from '../core/svc/fit-workspace.js';
import type { Gamma } from '../core/svc/svc.js';

/** The work that training-pool.ts sends to its worker threads. */
export type WorkerTask =
  | {
      /** One group of grid-search fits (scoreGridGroup): one fold, one gamma, several C values. */
      readonly kind: 'score';
      /** The rows of the whole search, on a SharedArrayBuffer: every task reads them, none copies them. */
      readonly x: Float64Array;
      readonly rows: number;
      readonly cols: number;
      readonly y: readonly string[];
      readonly train: Int32Array;
      readonly test: Int32Array;
      readonly gamma: Gamma;
      readonly Cs: readonly number[];
      readonly preprocessing: GridPreprocessing;
    }
  | { readonly kind: 'fit'; readonly task: PipelineTask };

/** This thread's memory for grid groups, reused from one to the next (freed with the thread). */
const workspace = new FitWorkspace();

export default function runTask(job: WorkerTask): number[] | FittedPipeline {
  if (job.kind === 'fit') return fitPipeline(job.task);
  return scoreGridGroup({ rows: job.rows, cols: job.cols, data: job.x }, job.y, { train: job.train, test: job.test }, job.gamma, job.Cs, job.preprocessing, workspace);
}
