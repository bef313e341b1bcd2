import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { DriftOptions, DriftReport, ReferenceProfile } from '../core/drift/feature-profile.js';
import type { Matrix } from '../core/matrix.js';
import type { PackedCases, RankedCases } from '../core/metrics/live-curves.js';
import type { MonitoringTask } from './monitoring-worker.js';

// From the TypeScript sources (tests) the worker is loaded through tsx; from dist, as plain JS.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = fileURLToPath(new URL(fromSource ? './monitoring-worker.ts' : './monitoring-worker.js', import.meta.url));

/**
 * Production monitoring's statistics over tens of thousands of logged cases (drift's KS test and
 * PSI per feature, the live curves' sorts of scores) on a worker thread of their own, so the event
 * loop keeps serving meanwhile. Not the training pool's threads: a drift read would wait there
 * behind every fit of a grid search.
 */
export class MonitoringPool {
  private piscina: Promise<Piscina> | undefined;

  private run(task: MonitoringTask): Promise<unknown> {
    this.piscina ??= import('piscina').then(
      ({ Piscina }) => new Piscina({ filename: workerFile, minThreads: 0, maxThreads: 1, idleTimeout: 30_000, execArgv: fromSource ? ['--import', 'tsx'] : [] }),
    );
    return this.piscina.then((pool) => pool.run(task) as Promise<unknown>);
  }

  readonly compare = async (reference: ReferenceProfile, recent: Matrix, options: DriftOptions): Promise<DriftReport> => (await this.run({ kind: 'drift', reference, recent, options })) as DriftReport;

  readonly rankCases = async (cases: PackedCases, classes: readonly string[], positive: string, threshold: number): Promise<RankedCases> =>
    (await this.run({ kind: 'liveCurves', cases, classes, positive, threshold })) as RankedCases;

  async close(): Promise<void> {
    if (this.piscina) await (await this.piscina).destroy();
  }
}
