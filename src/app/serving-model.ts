import type { ReferenceProfile } from '../core/drift/feature-profile.js';
import type { ModelArtifact } from '../core/model-artifact.js';
import { isModelArtifact, upgradeModelArtifact } from '../core/model-artifact.js';
import type { Predictor } from '../core/predictor.js';
import type { TrainingRange } from '../core/training-range.js';
import { trainingRanges } from '../core/training-range.js';
import { createPredictor } from '../core/predictor.js';
import type { Model, ModelSummary } from '../store/model-repository.js';

/** The active model as the server holds it: registry entry, model artifact and a ready predictor. */
export interface ServingModel {
  readonly version: number;
  readonly summary: ModelSummary;
  /** The training split's feature profile: what drift is measured against (null for old models). */
  readonly reference: ReferenceProfile | null;
  readonly artifact: ModelArtifact;
  /** Each feature's training range (null: categorical, or none kept): what an answer's `outOfRange` is judged by. */
  readonly ranges: readonly (TrainingRange | null)[];
  readonly predictor: Predictor;
}

export function toServingModel(model: Model): ServingModel {
  const artifact = upgradeModelArtifact(model.pipeline);
  if (!isModelArtifact(artifact)) throw new Error(`model v${model.version} does not hold an mloop pipeline (format ${JSON.stringify((model.pipeline as { kind?: unknown } | null)?.kind)})`);
  const { pipeline: _stored, reference: storedReference, ...summary } = model;
  const reference = (storedReference as ReferenceProfile | null) ?? null;
  return { version: model.version, summary, reference, artifact, ranges: trainingRanges(artifact.preprocessor, reference?.features ?? null), predictor: createPredictor(artifact) };
}
