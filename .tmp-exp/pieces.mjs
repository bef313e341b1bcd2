import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
const D = '/work/main/dist/';
const { parseDataset } = await import(D + 'core/dataset.js');
const { splitDataset } = await import(D + 'core/training.js');
const { takeRows, take } = await import(D + 'core/matrix.js');
const { fitPipeline } = await import(D + 'core/pipeline.js');
const { createPredictor } = await import(D + 'core/predictor.js');
const { packRows } = await import(D + 'core/prediction-input.js');
const { predictRows } = await import(D + 'app/predictions.js');
const { TypeCompiler } = await import('@sinclair/typebox/compiler');
const { Type } = await import('@sinclair/typebox');
const sjson = (await import('secure-json-parse')).default;
const fjs = (await import('fast-json-stringify')).default;
const pino = (await import('pino')).default;
const ds = parseDataset(readFileSync('/work/main/data/wdbc.csv', 'utf8'), { label: 'diagnosis', positive: 'M', drop: ['id'] });
const { train } = splitDataset(ds, { testSize: 0.2, randomState: 20, stratify: false });
const p = await fitPipeline({ mode: 'normalized', C: 1, gamma: 'scale', grid: { C: [1], gamma: [1] }, cv: 5 }, takeRows(ds.x, train), take(ds.y, train), ds.featureNames);
const predictor = createPredictor(p);
const serving = { version: 1, pipeline: p, predictor };
const body = readFileSync('/tmp/exp/body.json', 'utf8').trim();
const Row = Type.Union([Type.Array(Type.Number()), Type.Record(Type.String(), Type.Number())]);
const PredictBody = Type.Object({ rows: Type.Optional(Type.Array(Row)), row: Type.Optional(Row), externalIds: Type.Optional(Type.Array(Type.String())), externalId: Type.Optional(Type.String()) }, { additionalProperties: false });
const check = TypeCompiler.Compile(PredictBody);
const parsed = JSON.parse(body);
const Prediction = Type.Object({ predictionId: Type.String(), label: Type.String(), className: Type.String(), decision: Type.Number(), externalId: Type.Optional(Type.String()) });
const stringify = fjs(Type.Object({ modelVersion: Type.Integer(), predictions: Type.Array(Prediction) }));
const outcome = { modelVersion: 1, predictions: [{ predictionId: randomUUID(), label: 'M', className: 'Malign', decision: 1.0681663368457588 }] };
const log = pino({ level: 'warn' }).child({ component: 'http' });
const opts = { maxRows: 10000, classNames: { M: 'Malign', B: 'Benign' } };
const x1 = new Float64Array(parsed.row);
const cases = {
  'JSON.parse': () => JSON.parse(body),
  'secure-json-parse': () => sjson.parse(body, { protoAction: 'error', constructorAction: 'error' }),
  'typebox check': () => check.Check(parsed),
  'packRows': () => packRows([parsed.row], ds.featureNames, 10000),
  'decide 1 row': () => predictor.decide(x1, 1),
  'predictRows': () => predictRows(serving, [parsed.row], opts),
  'randomUUID': () => randomUUID(),
  'fast-json-stringify': () => stringify(outcome),
  'JSON.stringify': () => JSON.stringify(outcome),
  'pino child': () => log.child({ reqId: 'req-1' }),
};
for (const [name, f] of Object.entries(cases)) {
  for (let i = 0; i < 20000; i++) f();
  const times = [];
  for (let r = 0; r < 7; r++) { const n = 50000; const t = performance.now(); for (let i = 0; i < n; i++) f(); times.push((performance.now() - t) * 1e6 / n); }
  times.sort((a, b) => a - b);
  console.log(name.padEnd(22), times[0].toFixed(0).padStart(6), 'ns (min)', times[3].toFixed(0).padStart(6), 'ns (median)');
}
