import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { take, takeRows } from '../../src/core/matrix.js';
import type { ModelArtifact, TrainingMode, TrainingParams } from '../../src/core/model-artifact.js';
import { fitModel, upgradeModelArtifact } from '../../src/core/model-artifact.js';
import { decodeModelProto } from '../../src/core/onnx/onnx-proto.js';
import type { OnnxExportMetadata, OnnxSvcPipeline } from '../../src/core/onnx/svc-onnx-export.js';
import { exportOnnx, OnnxExportError, onnxNames, onnxSvcPipeline } from '../../src/core/onnx/svc-onnx-export.js';
import { predict } from '../../src/core/predictor.js';
import { compareDecisions, float32Tolerance, runOnnx } from '../helpers/onnx-runtime.js';
import { ALL_GOLDEN_CASES, loadGoldenCase, loadWdbc } from '../helpers/wdbc.js';

/**
 * mloop's own models, fitted on each golden split of the bundled data in each training mode,
 * exported to ONNX and run by ONNX Runtime (CPU, float32) on all 569 rows: the labels must be
 * mloop's on every row and the decision values within float32 tolerance of mloop's float64 ones.
 */
const wdbc = loadWdbc();
const metadata: OnnxExportMetadata = { mloopVersion: '0.1.0', modelVersion: 7, dataSnapshotHash: 'sha256:0123abcd', gateVerdict: 'passed: recall 0.95 ≥ 0.9' };

const params = (mode: TrainingMode, gamma: TrainingParams['gamma']): TrainingParams => ({
  mode,
  C: 1,
  gamma,
  grid: { C: [0.1, 1, 10, 100], gamma: [1, 0.1, 0.01, 0.001] },
  cv: 5,
  impute: 'mean',
});

async function fitOnSplit(caseName: string, mode: TrainingMode): Promise<ModelArtifact> {
  const golden = loadGoldenCase(caseName);
  const gamma = caseName === 'gamma-auto-basic' ? 'auto' : 'scale';
  return fitModel(params(mode, gamma), takeRows(wdbc.x, golden.train_indices), take(wdbc.y, golden.train_indices), wdbc.features);
}

const cases = ALL_GOLDEN_CASES.flatMap((name) => Object.keys(loadGoldenCase(name).modes).map((mode) => ({ name, mode: mode as TrainingMode })));

describe('ONNX export of mloop models, run by ONNX Runtime on every bundled row', () => {
  it.each(cases)('$name, $mode', async ({ name, mode }) => {
    const model = await fitOnSplit(name, mode);
    const pipeline = onnxSvcPipeline(model);
    const run = await runOnnx(exportOnnx(pipeline, metadata), wdbc.x);
    const mloop = predict(model, wdbc.x);

    const tolerance = float32Tolerance(pipeline);
    const { worstShareOfTolerance, nearTies } = compareDecisions(run, wdbc.x.rows, tolerance, (r) => mloop.decision[r]);
    expect(worstShareOfTolerance).toBeLessThanOrEqual(1);
    // No bundled row is within float32 noise of a tie, where ONNX Runtime could rightly vote the
    // other way; so every label must be mloop's.
    expect(nearTies).toEqual([]);
    expect(run.labels).toEqual(mloop.labels);
  });
});

describe('the exported ONNX model', () => {
  it('says what it is: graph inputs and outputs, opsets, producer and metadata', async () => {
    const model = await fitOnSplit('default', 'normalized');
    const decoded = decodeModelProto(exportOnnx(onnxSvcPipeline(model), metadata));
    expect(decoded.producerName).toBe('mloop');
    expect(decoded.producerVersion).toBe('0.1.0');
    expect(decoded.modelVersion).toBe(7);
    expect(decoded.opsetImport).toEqual([{ version: 13 }, { domain: 'ai.onnx.ml', version: 1 }]);
    expect(decoded.graph.node.map((n) => n.opType)).toEqual(['Imputer', 'Scaler', 'SVMClassifier', 'Gather']);
    const shape = (v: (typeof decoded.graph.input)[number]) => [v.name, v.type.tensorType.elemType, v.type.tensorType.shape.dim.map((d) => d.dimValue ?? d.dimParam)];
    expect(decoded.graph.input.map(shape)).toEqual([[onnxNames.input, 1, ['N', 30]]]);
    expect(decoded.graph.output.map(shape)).toEqual([
      [onnxNames.label, 8, ['N']],
      [onnxNames.decision, 1, ['N', 1]],
    ]);
    expect(Object.fromEntries(decoded.metadataProps.map((e) => [e.key, e.value]))).toEqual({
      mloop_version: '0.1.0',
      model_version: '7',
      data_snapshot_hash: 'sha256:0123abcd',
      feature_names: JSON.stringify(wdbc.featureNames),
      numeric_features: JSON.stringify(wdbc.featureNames),
      categorical_features: '[]',
      categories: '{}',
      classes: '["B","M"]',
      gate_verdict: 'passed: recall 0.95 ≥ 0.9',
    });
  });

  it('is the same bytes for the same model, and has no Scaler in basic mode', async () => {
    const model = await fitOnSplit('default', 'basic');
    const bytes = exportOnnx(onnxSvcPipeline(model), metadata);
    expect(exportOnnx(onnxSvcPipeline(JSON.parse(JSON.stringify(model)) as ModelArtifact), metadata)).toEqual(bytes);
    expect(decodeModelProto(bytes).graph.node.map((n) => n.opType)).toEqual(['Imputer', 'SVMClassifier', 'Gather']);
  });

  it('imputes a missing value as mloop does', async () => {
    const model = await fitOnSplit('default', 'normalized');
    const rows = takeRows(wdbc.x, Array.from({ length: 60 }, (_, i) => i));
    const data = Float64Array.from(rows.data);
    // Row i misses feature i mod 30, and every third row misses a second one too.
    for (let i = 0; i < rows.rows; i++) {
      data[i * rows.cols + (i % rows.cols)] = Number.NaN;
      if (i % 3 === 0) data[i * rows.cols + ((i + 7) % rows.cols)] = Number.NaN;
    }
    const x = { ...rows, data };
    const pipeline = onnxSvcPipeline(model);
    const run = await runOnnx(exportOnnx(pipeline, metadata), x);
    const mloop = predict(model, x);
    const { worstShareOfTolerance } = compareDecisions(run, x.rows, float32Tolerance(pipeline), (r) => mloop.decision[r]);
    expect(worstShareOfTolerance).toBeLessThanOrEqual(1);
    expect(run.labels).toEqual(mloop.labels);
  });

  it('of a model from before missing values has no Imputer, and predicts as mloop', async () => {
    // Written by mloop e44d79d (format 1): upgraded, its imputer has no statistics (NaN).
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/model-artifact-v1.json', import.meta.url), 'utf8')) as { artifact: unknown; testRows: number[] };
    const model = upgradeModelArtifact(fixture.artifact) as ModelArtifact;
    const pipeline = onnxSvcPipeline(model);
    expect(pipeline.imputer).toBeUndefined();
    const bytes = exportOnnx(pipeline, metadata);
    expect(decodeModelProto(bytes).graph.node.map((n) => n.opType)).not.toContain('Imputer');
    const x = takeRows(wdbc.x, fixture.testRows);
    const run = await runOnnx(bytes, x);
    expect(run.labels).toEqual(predict(model, x).labels);
  });

  it('predicts a single row as it predicts it in a batch', async () => {
    const model = await fitOnSplit('default', 'normalized');
    const bytes = exportOnnx(onnxSvcPipeline(model), metadata);
    const batch = await runOnnx(bytes, wdbc.x);
    const one = await runOnnx(bytes, takeRows(wdbc.x, [3]));
    expect(one.labels).toEqual([batch.labels[3]]);
    expect(one.decision).toEqual(batch.decision.subarray(3, 4));
  });
});

describe('exportOnnx refuses a pipeline that does not fit together', () => {
  const good: OnnxSvcPipeline = {
    featureNames: ['a', 'b'],
    scaler: null,
    classes: ['x', 'y', 'z'],
    gamma: 0.5,
    nSupport: [1, 1, 1],
    supportVectors: [0, 0, 1, 1, 2, 2],
    svCoef: [
      [1, -1, 0.5],
      [0.5, 1, -1],
    ],
    rho: [0.1, 0.2, 0.3],
  };
  it.each<[string, Partial<OnnxSvcPipeline>, RegExp]>([
    ['one class', { classes: ['x'], nSupport: [3], svCoef: [], rho: [] }, /at least 2 classes/],
    ['a repeated label', { classes: ['x', 'x', 'z'] }, /distinct/],
    ['nSupport of the wrong length', { nSupport: [2, 1] }, /nSupport has 2 entries for 3 classes/],
    ['support vectors of the wrong size', { supportVectors: [0, 0, 1, 1, 2] }, /supportVectors has 5 values, expected 3 vectors × 2 features/],
    ['a missing svCoef row', { svCoef: [[1, -1, 0.5]] }, /svCoef has 1 rows, expected k − 1 = 2/],
    ['a short svCoef row', { svCoef: [[1, -1, 0.5], [0.5, 1]] }, /svCoef row 1 has 2 values, expected 3/],
    ['one rho for three pairs', { rho: [0.1] }, /rho has 1 values, expected one per class pair \(3\)/],
    ['gamma 0', { gamma: 0 }, /gamma must be > 0/],
    ['a scaler for another width', { scaler: { scale: [1], min: [0] } }, /1 scales and 1 minimums for 2 features/],
    ['probA without probB', { probA: [1, 1, 1] }, /probA and probB go together/],
    ['a value beyond float32', { supportVectors: [0, 0, 1, 1, 2, 1e39] }, /support vector 2's value 1 \(as the SVC sees it: after imputing and scaling\), support_vectors\[5\] = 1e\+39, is not a finite float32/],
    ['an imputer for another width', { imputer: [1] }, /the imputer has 1 statistics for 2 numeric features/],
    ['a feature neither numeric nor categorical', { numericColumns: [0] }, /every feature must be numeric or categorical, once/],
    ['a feature both numeric and categorical', { categorical: [{ column: 1, categories: ['u'], imputed: 'u' }] }, /every feature must be numeric or categorical, once/],
    ['the empty category', { numericColumns: [0], scaler: null, categorical: [{ column: 1, categories: [''], imputed: '' }], supportVectors: [0, 0, 1, 1, 2, 2] }, /'b' has the empty category/],
    ['an imputed category it did not learn', { numericColumns: [0], categorical: [{ column: 1, categories: ['u'], imputed: 'v' }] }, /'b' imputes "v", which is not one of its categories/],
    ['one-hot columns the support vectors do not have', { numericColumns: [0], categorical: [{ column: 1, categories: ['u', 'v'], imputed: 'u' }] }, /expected 3 vectors × 3 features/],
  ])('%s', (_, change, message) => {
    expect(() => exportOnnx({ ...good, ...change }, metadata)).toThrow(OnnxExportError);
    expect(() => exportOnnx({ ...good, ...change }, metadata)).toThrow(message);
  });

  it('accepts the pipeline the cases above break', () => {
    expect(exportOnnx(good, metadata).length).toBeGreaterThan(0);
  });
});
