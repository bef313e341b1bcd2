import { writeFileSync } from 'node:fs';
import type { Application } from '../app/application.js';
import type { ExportFormat } from '../app/model-export.js';
import { packageVersion } from '../http/package-info.js';

export interface ExportOptions {
  readonly format: ExportFormat;
  /** The file to write; `-` for stdout; the export's own name (`mloop-v3.onnx`) when absent. */
  readonly output?: string;
}

/** `mloop models export V`: the version's whole pipeline as a file (the bytes GET /api/v1/models/{v}/model.onnx sends). */
export async function exportCommand(app: Application, version: number, options: ExportOptions): Promise<void> {
  const { bytes, filename } = await app.registry.export(version, options.format, packageVersion());
  if (options.output === '-') {
    process.stdout.write(bytes);
    return;
  }
  const file = options.output ?? filename;
  writeFileSync(file, bytes);
  process.stdout.write(`wrote v${version} as ${options.format.toUpperCase()} to ${file} (${bytes.length} bytes)\n`);
}
