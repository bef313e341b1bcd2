import type { ReferenceProfile } from '../core/drift/feature-profile.js';
import type { FittedPipeline } from '../core/pipeline.js';
import type { Predictor } from '../core/predictor.js';
import { createPredictor } from '../core/predictor.js';
import type { Model, ModelSummary } from '../store/model-repository.js';

/** The active model as the server holds it: registry entry, fitted pipeline and a ready predictor. */
export interface ServingModel {
  readonly version: number;
  readonly summary: ModelSummary;
  /** The training split's feature profile: what drift is measured against (null for old models). */
  readonly reference: ReferenceProfile | null;
  readonly pipeline: FittedPipeline;
  readonly predictor: Predictor;
}

export function isFittedPipeline(value: unknown): value is FittedPipeline {
  const p = value as Partial<FittedPipeline> | null;
  return typeof p === 'object' && p !== null && p.kind === 'mloop-pipeline' && p.formatVersion === 1 && typeof p.svc === 'object';
}

export function toServingModel(model: Model): ServingModel {
  if (!isFittedPipeline(model.pipeline)) throw new Error(`model v${model.version} does not hold an mloop pipeline (format ${JSON.stringify((model.pipeline as { kind?: unknown } | null)?.kind)})`);
  const { pipeline, reference, ...summary } = model;
  return { version: model.version, summary, reference: (reference as ReferenceProfile | null) ?? null, pipeline, predictor: createPredictor(pipeline) };
}
