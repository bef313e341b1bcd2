/**
 * Batch prediction in-process, 10,000 and 100,000 rows: mloop's predictor on one thread and on
 * every core, scikit-learn's `predict` (one thread, as libsvm predicts), ONNX Runtime on the model
 * mloop exports (one intra-op thread and one per core; float32). Runs alternate.
 */
import { availableParallelism } from 'node:os';
import type { BenchContext } from '../lib/context.js';
import { tileRows, writeMatrix } from '../lib/data.js';
import { median } from '../lib/report.js';
import { onnxLabels, startOnnxPeer } from '../lib/onnx-runtime.js';
import { ParallelPredictor } from './parallel-predict.js';

export async function inProcessWorkloads(ctx: BenchContext): Promise<void> {
  const { core, pipeline, report, options, python } = ctx;
  const predictor = core.predictor.createPredictor(pipeline);
  const threads = availableParallelism();
  const parallel = await ParallelPredictor.start(pipeline, threads);
  const onnx = await startOnnxPeer(ctx, threads);
  const labelsOf = (decision: Float64Array) => {
    const labels = new Array<string>(decision.length);
    for (let i = 0; i < decision.length; i++) labels[i] = predictor.label(decision[i]);
    return labels;
  };
  try {
    for (const rows of options.batchRowsInProcess) {
      const x = tileRows(ctx.data.all, rows);
      const shared = ParallelPredictor.share(x);
      // The serving predictor must give exactly the core's decision function: bit for bit.
      const reference = core.svc.svcDecisionFunction(pipeline.svc, core.columns.transformColumns(pipeline.preprocessor, x).x);
      const fast = predictor.decide(x.data, x.rows);
      const threaded = await parallel.decide(shared);
      for (let i = 0; i < rows; i++) {
        if (!Object.is(fast[i], reference[i]) || !Object.is(threaded[i], reference[i])) {
          throw new Error(`row ${i}: predictor gives ${fast[i]} (threads ${threaded[i]}), the decision function ${reference[i]}: not bit-identical`);
        }
      }
      const file = python ? writeMatrix(ctx.tmp, `predict-${rows}`, x) : null;
      // ONNX Runtime takes float32: converted once, outside the timing (its users hold float32).
      const x32 = Float32Array.from(x.data);
      if (onnx) {
        const want = labelsOf(fast);
        const got = await onnxLabels(onnx, onnx.single, x32, rows, x.cols);
        const differ = want.findIndex((label, i) => label !== got[i]);
        if (differ >= 0) throw new Error(`row ${differ}: ONNX Runtime predicts ${got[differ]}, mloop ${want[differ]}: not the same model`);
      }
      // Warm-up: the JIT for mloop, the imports and the file for Python.
      for (let k = 0; k < 3; k++) labelsOf(predictor.decide(x.data, Math.min(rows, 2_000)));
      await parallel.decide(shared);
      if (python && file) await python.peer.call({ cmd: 'predict', model: python.model, matrix: file });
      if (onnx) for (const session of [onnx.single, onnx.threaded]) await onnxLabels(onnx, session, x32, rows, x.cols);
      const times = { single: [] as number[], threaded: [] as number[], sklearn: [] as number[], onnx: [] as number[], onnxThreaded: [] as number[] };
      for (let run = 0; run < options.inProcessRuns; run++) {
        let t = performance.now();
        labelsOf(predictor.decide(x.data, x.rows));
        times.single.push((performance.now() - t) / 1000);
        t = performance.now();
        labelsOf(await parallel.decide(shared));
        times.threaded.push((performance.now() - t) / 1000);
        if (python && file) times.sklearn.push((await python.peer.call<{ seconds: number }>({ cmd: 'predict', model: python.model, matrix: file })).seconds);
        if (onnx) {
          for (const [session, into] of [[onnx.single, times.onnx], [onnx.threaded, times.onnxThreaded]] as const) {
            t = performance.now();
            await onnxLabels(onnx, session, x32, rows, x.cols);
            into.push((performance.now() - t) / 1000);
          }
        }
      }
      const workload = `in-process batch, ${rows.toLocaleString('en-US')} rows`;
      const rate = (s: number[]) => s.map((v) => rows / v);
      report.figure(workload, 'mloop, 1 thread', 'rows/s', 'rows/s', rate(times.single));
      report.figure(workload, `mloop, ${threads} threads`, 'rows/s', 'rows/s', rate(times.threaded), 'rows split across worker threads by the bench');
      if (python) report.figure(workload, 'scikit-learn predict', 'rows/s', 'rows/s', rate(times.sklearn), 'one thread (libsvm)');
      if (onnx) {
        report.figure(workload, 'ONNX Runtime, 1 thread', 'rows/s', 'rows/s', rate(times.onnx), 'model exported by mloop; float32');
        report.figure(workload, `ONNX Runtime, ${threads} threads`, 'rows/s', 'rows/s', rate(times.onnxThreaded), 'intra-op threads');
      }
      const ratios = (a: number[]) => (python ? a.map((v, i) => times.sklearn[i] / v) : null);
      const skipped = python ? undefined : 'Python comparison skipped';
      report.target(`in-process-${rows}`, `in-process ${rows} rows/s: mloop 1 thread / scikit-learn`, ratios(times.single), 1, true, skipped);
      report.target(`in-process-${rows}-threads`, `in-process ${rows} rows/s: mloop ${threads} threads / scikit-learn`, ratios(times.threaded), 1, true, skipped);
      const vsOnnx = (a: number[], b: number[]) => (onnx ? a.map((v, i) => b[i] / v) : null);
      const noOnnx = onnx ? undefined : 'ONNX Runtime comparison skipped';
      report.target(`in-process-${rows}-vs-onnx`, `in-process ${rows} rows/s: mloop 1 thread / ONNX Runtime 1 thread`, vsOnnx(times.single, times.onnx), 1, true, noOnnx);
      const threadedVsOnnx = vsOnnx(times.threaded, times.onnxThreaded);
      if (threadedVsOnnx) report.notes.push(`in-process ${rows} rows/s, mloop ${threads} worker threads / ONNX Runtime ${threads} intra-op threads: ${median(threadedVsOnnx).toFixed(2)}×`);
      ctx.log(`in-process ${rows} rows done`);
    }
  } finally {
    await parallel.close();
    await onnx?.close();
  }
}
