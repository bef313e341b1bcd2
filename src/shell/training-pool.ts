import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { EstimatorTask, FittedEstimator } from '../core/estimator.js';
import type { GridRunner } from '../core/pipeline.js';
import type { WorkerTask } from './training-worker.js';

// From the TypeScript sources (tests) the worker is loaded through tsx; from dist, as plain JS.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = fileURLToPath(new URL(fromSource ? './training-worker.ts' : './training-worker.js', import.meta.url));

/**
 * Worker threads, one per core, that run every fit of a training: the grid-search fits in
 * parallel and the final fit too, so the event loop keeps serving predictions meanwhile.
 */
export class TrainingPool {
  /** Piscina is loaded and started by the first task: a server that does not train never pays for it. */
  private piscina: Promise<Piscina> | undefined;
  private readonly pool: Pick<Piscina, 'run' | 'destroy'> = {
    run: async (task: WorkerTask) => (await this.started()).run(task),
    destroy: async () => {
      if (this.piscina) await (await this.piscina).destroy();
    },
  };

  constructor(private readonly threads = availableParallelism()) {}

  private started(): Promise<Piscina> {
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
    return this.piscina;
  }

  readonly runGrid: GridRunner = async (plan, x, y, onProgress) => {
    let done = 0;
    return Promise.all(
      plan.tasks.map(async (task) => {
        const fold = plan.folds[task.fold];
        const job: WorkerTask = { kind: 'score', x: x.data, rows: x.rows, cols: x.cols, y, train: fold.train, test: fold.test, candidate: plan.candidates[task.candidate] };
        const score = (await this.pool.run(job)) as number;
        onProgress({ done: ++done, total: plan.tasks.length });
        return score;
      }),
    );
  };

  readonly fitFinal = async (task: EstimatorTask): Promise<FittedEstimator> => {
    const job: WorkerTask = { kind: 'fit', task };
    return (await this.pool.run(job)) as FittedEstimator;
  };

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
