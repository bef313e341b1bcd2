/**
 * mloop's serving predictor (one thread) against ONNX Runtime (CPU, one intra-op thread) on the
 * bench's model (normalized, bundled data), same process, rounds alternating, as ratios per round:
 *
 *   npm run build && npx tsx bench/kernel-vs-ort.ts [--rounds=N] [--rows=10000,100000] [--js]
 *
 * (--js: the predictor's JavaScript kernel too, as before WebAssembly SIMD, in the same rounds.)
 *
 * ONNX Runtime gets its float32 input tensor ready-made (not timed); mloop's time includes the
 * labels, as the in-process workload's does. Each is timed by the wall clock and by the process's
 * CPU time (user + system), the steadier figure when neighbours steal the CPU. The run first checks the predictor against the core's
 * plain decision function, bit for bit.
 */
import * as ort from 'onnxruntime-node';
import type * as OnnxExport from '../src/core/onnx/svc-onnx-export.js';
import type * as LoadConfig from '../src/config/load-config.js';
import { loadBenchData, tileRows } from './lib/data.js';
import { importDist, loadCore } from './lib/mloop.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const rounds = Number(arg('rounds', '7'));
const sizes = arg('rows', '10000,100000').split(',').map(Number);
const withJs = process.argv.includes('--js');

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const k = (v: number) => `${Math.round(v / 1000)}k`;

const core = await loadCore();
const onnx = await importDist<typeof OnnxExport>('core/onnx/svc-onnx-export.js');
const { loadConfig } = await importDist<typeof LoadConfig>('config/load-config.js');
const data = loadBenchData(core);
const t = loadConfig(undefined, {}).training;
const pipeline = await core.artifact.fitModel({ mode: 'normalized', C: t.C, gamma: t.gamma, grid: t.grid, cv: t.cv, impute: t.impute }, data.trainX, data.trainY, data.features);
const bytes = onnx.exportOnnx(onnx.onnxSvcPipeline(pipeline), { mloopVersion: '0', modelVersion: 1, dataSnapshotHash: '-', gateVerdict: '-' });
const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const predictor = core.predictor.createPredictor(pipeline);
const jsPredictor = core.predictor.createPredictor(pipeline, { kernel: 'js' });
console.log(`model: ${pipeline.svc.support.length} support vectors, ${pipeline.svc.nFeatures} features; predictor kernel: ${predictor.kernel}`);

const labelsOf = (decision: Float64Array) => {
  const labels = new Array<string>(decision.length);
  for (let i = 0; i < decision.length; i++) labels[i] = predictor.label(decision[i]);
  return labels;
};

for (const rows of sizes) {
  const x = tileRows(data.all, rows);
  const reference = core.svc.svcDecisionFunction(pipeline.svc, core.columns.transformColumns(pipeline.preprocessor, x).x);
  for (const p of [predictor, jsPredictor]) {
    const fast = p.decide(x.data, x.rows);
    for (let i = 0; i < rows; i++) if (!Object.is(fast[i], reference[i])) throw new Error(`row ${i}: predictor (${p.kernel}) ${fast[i]}, decision function ${reference[i]}: not bit-identical`);
  }
  const input = { [onnx.onnxNames.input]: new ort.Tensor('float32', Float32Array.from(x.data), [x.rows, x.cols]) };
  for (let w = 0; w < 3; w++) {
    labelsOf(predictor.decide(x.data, Math.min(rows, 2_000)));
    if (withJs) labelsOf(jsPredictor.decide(x.data, Math.min(rows, 2_000)));
    await session.run(input);
  }
  const wall = { mloop: [] as number[], js: [] as number[], runtime: [] as number[] };
  const cpu = { mloop: [] as number[], js: [] as number[], runtime: [] as number[] };
  const time = async (who: keyof typeof wall, run: () => unknown) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    const used = process.cpuUsage(c0);
    wall[who].push(rows / ((performance.now() - t0) / 1000));
    cpu[who].push(rows / ((used.user + used.system) / 1e6));
  };
  for (let r = 0; r < rounds; r++) {
    await time('mloop', () => labelsOf(predictor.decide(x.data, x.rows)));
    if (withJs) await time('js', () => labelsOf(jsPredictor.decide(x.data, x.rows)));
    await time('runtime', () => session.run(input));
  }
  for (const [clock, m] of [['wall', wall], ['cpu', cpu]] as const) {
    const range = (v: number[]) => `${k(median(v))} (${k(Math.min(...v))}–${k(Math.max(...v))})`;
    const ratio = (a: number[]) => {
      const ratios = a.map((v, i) => v / m.runtime[i]);
      return `${median(ratios).toFixed(2)}× (rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
    };
    console.log(`${rows} rows, ${clock} time: mloop ${range(m.mloop)} rows/s, ONNX Runtime ${range(m.runtime)}; mloop / ORT ${ratio(m.mloop)}`);
    if (withJs) console.log(`${rows} rows, ${clock} time: mloop JavaScript kernel ${range(m.js)} rows/s; / ORT ${ratio(m.js)}`);
  }
}
await session.release();
