import { describe, expect, it } from 'vitest';
import { NotExportableError } from '../../src/app/errors.js';
import { exportModelOnnx } from '../../src/app/model-export.js';
import { fitModel } from '../../src/core/model-artifact.js';
import { decodeModelProto } from '../../src/core/onnx/onnx-proto.js';
import type { Model } from '../../src/store/model-repository.js';
import { loadWdbc } from '../helpers/wdbc.js';

/** A registry entry around `pipeline`; only the fields the export reads matter. */
const entry = (pipeline: unknown, gate: Pick<Model, 'gateVerdict' | 'gateReason'> = { gateVerdict: 'passed', gateReason: null }): Model =>
  ({ version: 4, snapshotId: 2, pipeline, reference: null, ...gate }) as unknown as Model;
const provenance = { mloopVersion: '9.9.9', dataSnapshotHash: 'sha256:beef' };

describe('exportModelOnnx', () => {
  it('writes the version, the verdict and its reason into the file, named after the version', async () => {
    const wdbc = loadWdbc();
    const params = { mode: 'basic', C: 1, gamma: 'scale', grid: { C: [1], gamma: [1] }, cv: 5, impute: 'mean' } as const;
    const artifact = await fitModel(params, wdbc.x, wdbc.y, wdbc.features);
    const { bytes, filename } = exportModelOnnx(entry(artifact, { gateVerdict: 'rejected', gateReason: 'recall of M 0.8 is below the threshold 0.9' }), provenance);
    expect(filename).toBe('mloop-v4.onnx');
    const props = Object.fromEntries(decodeModelProto(bytes).metadataProps.map((e) => [e.key, e.value]));
    expect(props).toMatchObject({ mloop_version: '9.9.9', model_version: '4', data_snapshot_hash: 'sha256:beef', gate_verdict: 'rejected: recall of M 0.8 is below the threshold 0.9' });
  });

  it('refuses, saying so, a pipeline that is not an mloop model artifact', () => {
    const attempt = () => exportModelOnnx(entry({ kind: 'something-else' }), provenance);
    expect(attempt).toThrow(NotExportableError);
    expect(attempt).toThrow('model v4 cannot be exported to ONNX: it does not hold an mloop pipeline this version of mloop can read');
  });
});
