import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { DriftOptions, DriftReport, ReferenceProfile } from '../core/drift/feature-profile.js';
import type { Matrix } from '../core/matrix.js';
import type { DriftTask } from './drift-worker.js';

// From the TypeScript sources (tests) the worker is loaded through tsx; from dist, as plain JS.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = fileURLToPath(new URL(fromSource ? './drift-worker.ts' : './drift-worker.js', import.meta.url));

/**
 * The drift statistics (a KS test and a PSI per feature over tens of thousands of inputs) on a
 * worker thread of their own, so the event loop keeps serving meanwhile. Not the training pool's
 * threads: a drift read would wait there behind every fit of a grid search.
 */
export class DriftPool {
  private piscina: Promise<Piscina> | undefined;

  readonly compare = async (reference: ReferenceProfile, recent: Matrix, options: DriftOptions): Promise<DriftReport> => {
    this.piscina ??= import('piscina').then(
      ({ Piscina }) => new Piscina({ filename: workerFile, minThreads: 0, maxThreads: 1, idleTimeout: 30_000, execArgv: fromSource ? ['--import', 'tsx'] : [] }),
    );
    const task: DriftTask = { reference, recent, options };
    return (await (await this.piscina).run(task)) as DriftReport;
  };

  async close(): Promise<void> {
    if (this.piscina) await (await this.piscina).destroy();
  }
}
