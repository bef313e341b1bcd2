import { isModelArtifact, upgradeModelArtifact } from '../core/model-artifact.js';
import { exportOnnx, OnnxExportError, onnxSvcPipeline } from '../core/onnx/svc-onnx-export.js';
import type { Model } from '../store/model-repository.js';
import { NotExportableError } from './errors.js';

export type { ExportFormat } from './export-format.js';
export { exportFormats } from './export-format.js';

/** A model version as a file. */
export interface ModelExport {
  readonly bytes: Uint8Array;
  /** What to name the file: `mloop-v3.onnx`. */
  readonly filename: string;
}

/** Where the version came from, for the file's metadata. */
export interface ExportProvenance {
  readonly mloopVersion: string;
  /** The content hash of the data snapshot the version was trained on. */
  readonly dataSnapshotHash: string;
}

/**
 * The whole fitted pipeline of `model` as one ONNX model (see core/onnx/svc-onnx-export.ts for its
 * inputs and outputs). A pipeline ONNX cannot hold (a value beyond float32, say) is a
 * NotExportableError that says why.
 */
export function exportModelOnnx(model: Model, provenance: ExportProvenance): ModelExport {
  const artifact = upgradeModelArtifact(model.pipeline);
  if (!isModelArtifact(artifact)) {
    throw new NotExportableError(`model v${model.version} cannot be exported to ONNX: it does not hold an mloop pipeline this version of mloop can read`, { version: model.version });
  }
  const gateVerdict = model.gateReason ? `${model.gateVerdict}: ${model.gateReason}` : model.gateVerdict;
  try {
    const bytes = exportOnnx(onnxSvcPipeline(artifact), { ...provenance, modelVersion: model.version, gateVerdict });
    return { bytes, filename: `mloop-v${model.version}.onnx` };
  } catch (error) {
    if (!(error instanceof OnnxExportError)) throw error;
    throw new NotExportableError(`model v${model.version} ${error.message.replace(/^cannot export/, 'cannot be exported')}`, { version: model.version }, { cause: error });
  }
}
