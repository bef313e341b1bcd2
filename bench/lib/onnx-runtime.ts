/**
 * ONNX Runtime as a peer: the bench's model exported by mloop (the same bytes as
 * GET /api/v1/models/{v}/model.onnx) and run by onnxruntime-node (CPU, float32). onnxruntime-node
 * is a devDependency; without it the comparison is skipped and the report says why.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { ModelArtifact } from '../../src/core/model-artifact.js';
import type * as OnnxExport from '../../src/core/onnx/svc-onnx-export.js';
import type { BenchContext } from './context.js';
import { importDist } from './mloop.js';

export interface OnnxPeer {
  readonly ort: typeof Ort;
  /** The exported model's file (for the HTTP reference server). */
  readonly file: string;
  readonly names: typeof OnnxExport.onnxNames;
  /** ONNX Runtime sessions on one intra-op thread and on `threads`. */
  readonly single: Ort.InferenceSession;
  readonly threaded: Ort.InferenceSession;
  readonly threads: number;
  close(): Promise<void>;
}

async function loadOrt(ctx: BenchContext): Promise<typeof Ort | null> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    const note = `ONNX Runtime comparison SKIPPED: onnxruntime-node could not be loaded (${(error as Error).message.split('\n')[0]}); it is a devDependency: npm ci`;
    if (!ctx.report.notes.includes(note)) ctx.report.notes.push(note);
    return null;
  }
}

/** The bench's model exported by mloop, written to a file; null when ONNX Runtime is not installed. */
export async function exportBenchModel(ctx: BenchContext): Promise<{ file: string; bytes: Uint8Array; names: typeof OnnxExport.onnxNames } | null> {
  if (!(await loadOrt(ctx))) return null;
  const onnx = await importDist<typeof OnnxExport>('core/onnx/svc-onnx-export.js');
  const artifact = { ...ctx.pipeline, featureNames: ctx.pipeline.preprocessor.features.map((f) => f.name) } as unknown as ModelArtifact;
  const bytes = onnx.exportOnnx(onnx.onnxSvcPipeline(artifact), { mloopVersion: 'bench', modelVersion: 1, dataSnapshotHash: 'bench', gateVerdict: 'n/a' });
  const file = join(ctx.tmp, 'model.onnx');
  writeFileSync(file, bytes);
  return { file, bytes, names: onnx.onnxNames };
}

/** null (with the reason in the report's notes) when onnxruntime-node is not installed. */
export async function startOnnxPeer(ctx: BenchContext, threads: number): Promise<OnnxPeer | null> {
  const ort = await loadOrt(ctx);
  const model = await exportBenchModel(ctx);
  if (!ort || !model) return null;
  const session = (intraOpNumThreads: number) => ort.InferenceSession.create(model.bytes, { intraOpNumThreads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const [single, threaded] = [await session(1), await session(threads)];
  return {
    ort,
    file: model.file,
    names: model.names,
    single,
    threaded,
    threads,
    async close() {
      await single.release();
      await threaded.release();
    },
  };
}

/** Labels of `rows` float32 rows, as ONNX Runtime predicts them. */
export async function onnxLabels(peer: OnnxPeer, session: Ort.InferenceSession, x: Float32Array, rows: number, cols: number): Promise<readonly string[]> {
  const out = await session.run({ [peer.names.input]: new peer.ort.Tensor('float32', x, [rows, cols]) });
  return out[peer.names.label].data as string[];
}
