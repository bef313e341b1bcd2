/**
 * The forms a model version can be exported in (`mloop models export --format`), apart from the
 * exporters themselves (model-export.ts), which the CLI and the server load only to export.
 */
export const exportFormats = ['onnx'] as const;
export type ExportFormat = (typeof exportFormats)[number];
