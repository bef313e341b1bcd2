import type { Config } from '../config/schema.js';
import type { ClassificationMetrics } from '../core/classification-metrics.js';
import type { Dataset } from '../core/dataset.js';
import { take, takeRows } from '../core/matrix.js';
import type { ModelArtifact } from '../core/model-artifact.js';
import { isModelArtifact, upgradeModelArtifact } from '../core/model-artifact.js';
import { positiveScores } from '../core/operating-point.js';
import { predict } from '../core/predictor.js';
import { figuresAtThreshold } from '../core/threshold-what-if.js';
import type { SplitParams } from '../core/training.js';
import { splitDataset } from '../core/training.js';
import type { Model } from '../store/model-repository.js';
import type { Snapshot } from '../store/snapshot-repository.js';
import type { DataUpdates } from './data-updates.js';
import { ConflictError } from './errors.js';

/**
 * A two-class version's test split rebuilt: the rows it was evaluated on, their labels and its
 * decision values on them. Nothing per row is stored with a version (its metrics are public), so
 * the rows come back from its data snapshot and split: `metrics.testSplit` for versions trained
 * since it is kept, `split.*` as configured now for older ones. The rebuilt rows must give the
 * version's stored confusion matrix at its own threshold, or they are not its test split.
 */
export interface HeldOutSplit {
  readonly artifact: ModelArtifact;
  readonly dataset: Dataset;
  readonly snapshot: Snapshot;
  readonly testIndices: readonly number[];
  /** The split that chose `testIndices`: the version's recorded one, else `split.*` as configured now. */
  readonly split: SplitParams;
  readonly y: readonly string[];
  /** The positive class's score of each row (decision value, negated when it is `classes[0]`). */
  readonly scores: Float64Array;
}

/** What a version keeps of its split (in its metrics) so that its test rows can be found again. */
export function testSplitRecord(split: SplitParams): { readonly testSplit: SplitParams } {
  return { testSplit: { testSize: split.testSize, randomState: split.randomState, stratify: split.stratify } };
}

/** A stored version's fitted pipeline as this mloop reads it; a ConflictError when it holds none. */
export function modelArtifactOf(model: Model): ModelArtifact {
  const artifact = upgradeModelArtifact(model.pipeline);
  if (!isModelArtifact(artifact)) throw new ConflictError(`v${model.version} does not hold an mloop pipeline`);
  return artifact;
}

/** A ConflictError unless the version has two classes and its positive class is `positive`. */
export function requireTwoClasses(model: Model, artifact: ModelArtifact, positive: string): void {
  const { classes } = artifact.svc;
  if (classes.length !== 2) throw new ConflictError(`a decision threshold needs a model of two classes; v${model.version} has ${classes.length} (${classes.join(', ')})`, { classes });
  if (!classes.includes(positive)) throw new ConflictError(`v${model.version}'s classes ${JSON.stringify(classes)} do not include the positive class ${JSON.stringify(positive)} (dataset.positive)`);
}

export async function rebuildTestSplit(model: Model, deps: { readonly config: Config; readonly data: DataUpdates }): Promise<HeldOutSplit> {
  const positive = deps.config.dataset.positive;
  const artifact = modelArtifactOf(model);
  requireTwoClasses(model, artifact, positive);
  const snapshot = await deps.data.snapshot(model.snapshotId);
  if (!snapshot) throw new ConflictError(`v${model.version}'s data snapshot ${model.snapshotId} is gone: its test split cannot be rebuilt`);
  const metrics = model.metrics as ClassificationMetrics & { readonly testSplit?: SplitParams };
  const split = metrics.testSplit ?? deps.config.split;
  const dataset = await deps.data.load(snapshot);
  const testIndices = Array.from(splitDataset(dataset, split).test);
  const y = take(dataset.y, testIndices);
  let scores: Float64Array;
  try {
    scores = positiveScores(predict(artifact, takeRows(dataset.x, testIndices)).decision, artifact.svc.classes, positive);
  } catch (error) {
    throw new ConflictError(`v${model.version} cannot predict its snapshot ${snapshot.id} again: ${(error as Error).message}`, undefined, { cause: error });
  }
  const own = figuresAtThreshold(y, scores, artifact.svc.classes, positive, artifact.decisionThreshold?.threshold ?? 0);
  if (JSON.stringify(own.confusionMatrix) !== JSON.stringify(metrics.confusionMatrix) || JSON.stringify(own.labels) !== JSON.stringify(metrics.labels)) {
    const settings = `(testSize ${split.testSize}, randomState ${split.randomState}, stratify ${split.stratify})`;
    const which = metrics.testSplit ? `its recorded split ${settings}` : `split.* as configured now ${settings}`;
    const why = metrics.testSplit ? '' : ` (the split may have changed since v${model.version} was trained)`;
    throw new ConflictError(`v${model.version}'s test split cannot be rebuilt: on snapshot ${snapshot.id}, ${which} selects rows that do not give its recorded confusion matrix${why}`);
  }
  return { artifact, dataset, snapshot, testIndices, split, y, scores };
}
