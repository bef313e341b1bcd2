import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { GridGroup, GridRunner } from '../core/grid-search.js';
import { GridScores, groupCs } from '../core/grid-search.js';
import type { FitOptions } from '../core/model-artifact.js';
import type { FittedPipeline, PipelineTask } from '../core/pipeline.js';
import type { WorkerTask } from './training-worker.js';

// From the TypeScript sources (tests) the worker is loaded through tsx; from dist, as plain JS.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = fileURLToPath(new URL(fromSource ? './training-worker.ts' : './training-worker.js', import.meta.url));

/**
 * Worker threads, one per core, that run every fit of a training: the grid-search fits in
 * parallel and the final fit too, so the event loop keeps serving predictions meanwhile. A fit
 * cannot be interrupted from inside (the solver is one loop), so stopping a training terminates
 * the threads its fits run on: piscina does that for a task whose signal aborts, and drops the
 * tasks still queued.
 */
export class TrainingPool {
  /** Piscina is loaded and started by the first task: a server that does not train never pays for it. */
  private piscina: Promise<Piscina> | undefined;

  constructor(private readonly threads = availableParallelism()) {}

  private run(task: WorkerTask, signal?: AbortSignal): Promise<unknown> {
    this.piscina ??= import('piscina').then(
      ({ Piscina }) =>
        new Piscina({
          filename: workerFile,
          minThreads: 0,
          maxThreads: Math.max(1, this.threads),
          idleTimeout: 60_000,
          execArgv: fromSource ? ['--import', 'tsx'] : [],
        }),
    );
    return this.piscina.then((pool) => pool.run(task, { signal }) as Promise<unknown>);
  }

  /** The runners of one training, whose fits stop (their threads terminated) when `signal` aborts. */
  runners(signal?: AbortSignal): Required<Pick<FitOptions, 'runGrid' | 'fitFinal'>> {
    // Every task of a grid listens to the one signal: dozens of listeners are expected, not a leak.
    if (signal) setMaxListeners(0, signal);
    return { runGrid: this.gridRunner(signal), fitFinal: async (task) => (await this.run({ kind: 'fit', task }, signal)) as FittedPipeline };
  }

  /** Worker threads alive now (tests: a stopped training leaves none running). */
  async threadCount(): Promise<number> {
    return this.piscina ? (await this.piscina).threads.length : 0;
  }

  /**
   * One task a group of fits (see GridGroup); the rows are copied once, to shared memory. The
   * groups are queued longest first, as far as that can be told beforehand: the smaller gamma, the
   * more solver iterations and kernel rows (a smoother kernel), so the threads finish together
   * instead of one waiting on a long group queued last.
   */
  private gridRunner(signal?: AbortSignal): GridRunner {
    return async (plan, x, y, onProgress) => {
      const data = sharedCopy(x.data);
      const collected = new GridScores(plan, onProgress);
      await Promise.all(
        longestFirst(plan.groups).map(async (group) => {
          const fold = plan.folds[group.fold];
          const job: WorkerTask = { kind: 'score', x: data, rows: x.rows, cols: x.cols, y, train: fold.train, test: fold.test, gamma: group.gamma, Cs: groupCs(plan, group), preprocessing: plan.preprocessing };
          collected.add(group, (await this.run(job, signal)) as number[]);
        }),
      );
      return collected.scores;
    };
  }

  readonly runGrid: GridRunner = this.gridRunner();

  readonly fitFinal = (task: PipelineTask): Promise<FittedPipeline> => this.runners().fitFinal(task);

  async close(): Promise<void> {
    if (this.piscina) await (await this.piscina).destroy();
  }
}

/** The values on a SharedArrayBuffer, which postMessage shares with a worker instead of copying. */
function sharedCopy(values: Float64Array): Float64Array {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const out = new Float64Array(new SharedArrayBuffer(values.byteLength));
  out.set(values);
  return out;
}

/** Numeric gammas ascending, then 'scale' and 'auto' (resolved per fold, so unknown here), stably. */
function longestFirst(groups: readonly GridGroup[]): GridGroup[] {
  const key = (g: GridGroup) => (typeof g.gamma === 'number' ? g.gamma : Number.MAX_VALUE);
  return [...groups].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
