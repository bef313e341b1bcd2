/**
 * Batch prediction on several threads: the rows in shared memory, one contiguous share per worker
 * thread, each running mloop's own predictor on its share. The split is the bench's, not mloop's.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Matrix } from '../../src/core/matrix.js';
import type { FittedPipeline } from '../../src/core/pipeline.js';
import type { PredictJob } from './predict-worker.js';

export class ParallelPredictor {
  private constructor(private readonly workers: readonly Worker[]) {}

  static async start(pipeline: FittedPipeline, threads: number): Promise<ParallelPredictor> {
    // A worker's own `--import tsx` does not reach its entry module on Node 20: register tsx first.
    const file = new URL('./predict-worker.ts', import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(file)}); });`;
    const workers = Array.from({ length: threads }, () => new Worker(bootstrap, { eval: true, workerData: { pipeline } }));
    await Promise.all(workers.map(async (w) => once(w, 'message')));
    return new ParallelPredictor(workers);
  }

  /** Copies the rows into shared memory (done once, before any timing). */
  static share(x: Matrix): Matrix & { readonly buffer: SharedArrayBuffer } {
    const buffer = new SharedArrayBuffer(x.data.byteLength);
    const data = new Float64Array(buffer);
    data.set(x.data);
    return { rows: x.rows, cols: x.cols, data, buffer };
  }

  async decide(x: Matrix & { readonly buffer: SharedArrayBuffer }): Promise<Float64Array> {
    const output = new SharedArrayBuffer(x.rows * 8);
    const share = Math.ceil(x.rows / this.workers.length);
    await Promise.all(
      this.workers.map(async (worker, k) => {
        const start = Math.min(x.rows, k * share);
        const end = Math.min(x.rows, start + share);
        const job: PredictJob = { input: x.buffer, output, cols: x.cols, start, end };
        const done = once(worker, 'message');
        worker.postMessage(job);
        await done;
      }),
    );
    return new Float64Array(output);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
