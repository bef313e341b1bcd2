/** What every workload gets: options, the report, the data, the trained models, the Python peer. */
import type { FittedPipeline } from '../../src/core/pipeline.js';
import type { BenchData } from './data.js';
import type { MloopCore } from './mloop.js';
import type { BenchOptions } from './options.js';
import type { Pinning } from './processes.js';
import type { PythonPeer } from './python.js';
import type { Report } from './report.js';

export interface PythonSide {
  readonly peer: PythonPeer;
  /** The pickled `make_pipeline(MinMaxScaler(), SVC())` fitted on the same training rows. */
  readonly model: string;
}

export interface BenchContext {
  readonly options: BenchOptions;
  readonly report: Report;
  readonly tmp: string;
  readonly pinning: Pinning;
  readonly core: MloopCore;
  readonly data: BenchData;
  /** mloop's fitted default pipeline (mode normalized), the one the servers serve too. */
  readonly pipeline: FittedPipeline;
  /** A data directory where `mloop train` has trained once: copy it, don't share it. */
  readonly store: string;
  /** null when the Python comparison is skipped (`report.notes` says why). */
  readonly python: PythonSide | null;
  readonly log: (line: string) => void;
  /** mloop's own configuration loader (dist), for the defaults and the switches the build has. */
  readonly loadConfig: (file: string | undefined) => unknown;
}

/** The README's row (the first of data/wdbc.csv), as mloop and the peers take it. */
export function singleRow(ctx: BenchContext): number[] {
  return Array.from(ctx.data.all.data.subarray(0, ctx.data.all.cols));
}

/** `n` rows of the test split (wrapping around), as arrays. */
export function testRows(ctx: BenchContext, n: number): number[][] {
  const { rows, cols, data } = ctx.data.testX;
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray((i % rows) * cols, ((i % rows) + 1) * cols)));
}
