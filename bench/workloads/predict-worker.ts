/** A worker thread of parallel-predict.ts: decides its share of the rows into shared memory. */
import { parentPort, workerData } from 'node:worker_threads';
import type { FittedPipeline } from '../../src/core/pipeline.js';
import type * as PredictorModule from '../../src/core/predictor.js';
import { importDist } from '../lib/mloop.js';

export interface PredictJob {
  readonly input: SharedArrayBuffer;
  readonly output: SharedArrayBuffer;
  readonly cols: number;
  readonly start: number;
  readonly end: number;
}

const { createPredictor } = await importDist<typeof PredictorModule>('core/predictor.js');
const predictor = createPredictor((workerData as { pipeline: FittedPipeline }).pipeline);
const port = parentPort;
if (!port) throw new Error('predict-worker.ts runs as a worker thread');
port.on('message', (job: PredictJob) => {
  const x = new Float64Array(job.input, job.start * job.cols * 8, (job.end - job.start) * job.cols);
  new Float64Array(job.output, job.start * 8, job.end - job.start).set(predictor.decide(x, job.end - job.start));
  port.postMessage(null);
});
port.postMessage('ready');
