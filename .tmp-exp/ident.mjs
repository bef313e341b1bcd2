import { readFileSync } from 'node:fs';
const D = '/work/main/dist/';
const { parseDataset } = await import(D + 'core/dataset.js');
const { takeRows, take } = await import(D + 'core/matrix.js');
const { fitPipeline } = await import(D + 'core/pipeline.js');
const { createPredictor } = await import(D + 'core/predictor.js');
const { svcDecisionFunction } = await import(D + 'core/svc/svc.js');
const { transformMinMax } = await import(D + 'core/min-max-scaler.js');
const ds = parseDataset(readFileSync('/work/main/data/wdbc.csv', 'utf8'), { label: 'diagnosis', positive: 'M', drop: ['id'] });
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
let checked = 0; const sizes = new Set();
for (const mode of ['normalized', 'basic']) for (const C of [0.1, 1, 10, 100]) for (const gamma of ['scale', 'auto', 0.5, 0.001]) for (const n of [40, 123, 455]) {
  const idx = Array.from({ length: n }, () => Math.floor(rnd() * 569));
  const y = take(ds.y, idx); if (new Set(y).size < 2) continue;
  const p = await fitPipeline({ mode, C, gamma, grid: { C: [1], gamma: [1] }, cv: 5 }, takeRows(ds.x, idx), y, ds.featureNames);
  sizes.add(p.svc.svCoef.length % 8);
  // rows: dataset plus perturbed rows
  const x = new Float64Array(ds.x.data.length * 2); x.set(ds.x.data); for (let i = ds.x.data.length; i < x.length; i++) x[i] = ds.x.data[i - ds.x.data.length] * (0.5 + rnd());
  const m = { rows: 569 * 2, cols: 30, data: x };
  const ref = svcDecisionFunction(p.svc, p.scaler ? transformMinMax(p.scaler, m) : m);
  const got = createPredictor(p).decide(x, m.rows);
  for (let i = 0; i < m.rows; i++) if (!Object.is(ref[i], got[i])) throw new Error(`${mode} C=${C} g=${gamma} n=${n} row ${i}: ${ref[i]} vs ${got[i]}`);
  checked++;
}
console.log('models checked', checked, 'nSv mod 8 seen', [...sizes].sort());
