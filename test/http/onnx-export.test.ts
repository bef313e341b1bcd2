import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModelProto } from '../../src/core/onnx/onnx-proto.js';
import { onnxNames } from '../../src/core/onnx/svc-onnx-export.js';
import { packageVersion } from '../../src/http/package-info.js';
import { loadWdbc } from '../helpers/wdbc.js';
import type { RunningServer } from './server-fixture.js';
import { postJson, startServer, useServer } from './server-fixture.js';

/**
 * GET /api/v1/models/{v}/model.onnx end to end: the file a client downloads from the running server
 * is loaded in ONNX Runtime and gives, on every bundled row, the labels the same server answers to
 * POST /api/v1/predict, and decision values within float32 rounding of them.
 */
const wdbc = loadWdbc();
const readToken = 'read-token-for-onnx';

describe('GET /api/v1/models/{v}/model.onnx', () => {
  const fixture = useServer({ readToken });
  const auth = { Authorization: `Bearer ${readToken}` };

  it('is the served model: ONNX Runtime gives its labels on every bundled row', async () => {
    const response = await fetch(`${fixture.base}/api/v1/models/1/model.onnx`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="mloop-v1.onnx"');
    const bytes = new Uint8Array(await response.arrayBuffer());

    const rows = Array.from({ length: wdbc.x.rows }, (_, i) => Array.from(wdbc.x.data.subarray(i * wdbc.x.cols, (i + 1) * wdbc.x.cols)));
    const predicted = await postJson(`${fixture.base}/api/v1/predict`, { rows });
    expect(predicted.status).toBe(200);
    const served = (await predicted.json()) as { modelVersion: number; classes: string[]; predictions: { label: string; decision: number; probabilities: Record<string, number> }[] };
    expect(served.modelVersion).toBe(1);

    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    try {
      const out = await session.run({ [onnxNames.input]: new ort.Tensor('float32', Float32Array.from(wdbc.x.data), [wdbc.x.rows, wdbc.x.cols]) });
      expect(out[onnxNames.label].data).toEqual(served.predictions.map((p) => p.label));
      const decision = out[onnxNames.decision].data as Float32Array;
      // Loose here (the exact float32 bound is test/core/onnx-export.test.ts's): 1e-4 of the scale.
      const worst = Math.max(...served.predictions.map((p, r) => Math.abs(decision[r] - p.decision)));
      expect(worst).toBeLessThan(1e-4 * Math.max(...served.predictions.map((p) => Math.abs(p.decision))));
      // The Platt probabilities (training.probability), per class in `classes` order.
      const probabilities = out[onnxNames.probabilities].data as Float32Array;
      const k = served.classes.length;
      const worstP = Math.max(...served.predictions.flatMap((p, r) => served.classes.map((c, j) => Math.abs(probabilities[r * k + j] - p.probabilities[c]))));
      expect(worstP).toBeLessThan(1e-4);
    } finally {
      await session.release();
    }
  });

  it('names where it came from in its metadata', async () => {
    const response = await fetch(`${fixture.base}/api/v1/models/1/model.onnx`, { headers: auth });
    const props = Object.fromEntries(decodeModelProto(new Uint8Array(await response.arrayBuffer())).metadataProps.map((e) => [e.key, e.value]));
    const model = (await (await fetch(`${fixture.base}/api/v1/models/1`)).json()) as { snapshotId: number; gateVerdict: string };
    const snapshot = (await fixture.server.app.data.snapshots(100, 0)).find((s) => s.id === model.snapshotId);
    expect(props).toMatchObject({
      mloop_version: packageVersion(),
      model_version: '1',
      data_snapshot_hash: snapshot?.contentHash,
      feature_names: JSON.stringify(wdbc.featureNames),
      gate_verdict: model.gateVerdict,
    });
  });

  it('needs the read token, as the pipeline does', async () => {
    const response = await fetch(`${fixture.base}/api/v1/models/1/model.onnx`);
    expect(response.status).toBe(401);
  });

  it('is a 404 naming the version for a version that does not exist', async () => {
    const response = await fetch(`${fixture.base}/api/v1/models/99/model.onnx`, { headers: auth });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no model version 99', details: null });
  });
});

describe('a model ONNX cannot hold', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    // A feature 1e36 times larger: in basic mode its support vectors exceed float32's largest value.
    dir = await mkdtemp(join(tmpdir(), 'mloop-onnx-'));
    const [header, ...lines] = (await readFile(new URL('../../data/wdbc.csv', import.meta.url), 'utf8')).trim().split('\n');
    const column = header.split(',').indexOf('area_worst');
    const scaled = lines.map((line) => line.split(',').map((cell, j) => (j === column ? `${Number(cell)}e36` : cell)).join(','));
    await writeFile(join(dir, 'huge.csv'), [header, ...scaled].join('\n'));
    server = await startServer({ config: { dataset: { source: join(dir, 'huge.csv') }, training: { mode: 'basic' }, monitor: { serveBelowThreshold: true } } });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is a 422 that says why', async () => {
    const response = await fetch(`${server.base}/api/v1/models/1/model.onnx`);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: string; details: unknown };
    // area_worst is the 24th numeric feature; its mean over the training rows is about 8.8e38.
    expect(body.error).toMatch(/^model v1 cannot be exported to ONNX: the value imputed for feature 'area_worst', imputed_value_floats\[23\] = [\d.]+e\+38, is not a finite float32 \(ONNX's operators compute in float32, whose largest value is 3\.4e38\)$/);
    expect(body.details).toEqual({ version: 1 });
  });
});
