import type { Config } from '../config/schema.js';
import { ClassificationMetricsError } from '../core/classification-metrics.js';
import type { Dataset } from '../core/dataset.js';
import { columnsByName, MissingFeaturesError } from '../core/feature-columns.js';
import { take, takeRows } from '../core/matrix.js';
import type { ChampionMeasure, GateDecision } from '../core/promotion-gate.js';
import { promotionGate } from '../core/promotion-gate.js';
import type { Evaluation } from '../core/training.js';
import { evaluatePipeline } from '../core/training.js';
import type { Store } from '../store/database.js';
import type { Snapshot } from '../store/snapshot-repository.js';
import type { ServingModel } from './serving-model.js';

/** The candidate's held-out rows: where both models are measured. */
export interface HeldOutRows {
  readonly dataset: Dataset;
  readonly testIndices: readonly number[];
  readonly snapshot: Snapshot;
}

/**
 * The champion's monitored metric on the candidate's held-out rows, each row given to it in its
 * own feature order. If it was trained on other data (the snapshot changed), it may have seen some
 * of these rows in training: the gate says so.
 */
export async function measureChampion(champion: ServingModel, rows: HeldOutRows, config: Config, store: Store): Promise<ChampionMeasure> {
  const { dataset, testIndices, snapshot } = rows;
  const version = champion.version;
  let evaluation: Evaluation;
  try {
    const x = columnsByName(takeRows(dataset.x, testIndices), dataset.featureNames, champion.artifact.featureNames);
    evaluation = evaluatePipeline(champion.artifact, x, take(dataset.y, testIndices), config.dataset.positive, config.monitor);
  } catch (error) {
    // The data lost a feature the champion reads, or holds a class it never knew.
    if (error instanceof MissingFeaturesError || error instanceof ClassificationMetricsError) return { version, unmeasurable: error.message };
    throw error;
  }
  const own = champion.summary.snapshotId;
  const trainedOnOtherData = own !== snapshot.id && (await store.snapshots.get(own))?.contentHash !== snapshot.contentHash;
  return { version, value: evaluation.value, trainedOnOtherData, snapshotId: own };
}

/** The gate on a training's outcome, against the model that serves (if any) on the same rows. */
export async function judgeCandidate(evaluation: Evaluation, champion: ServingModel | null, rows: HeldOutRows, config: Config, store: Store): Promise<GateDecision> {
  const measure = champion ? await measureChampion(champion, rows, config, store) : null;
  const candidate = { metric: evaluation.metric, value: evaluation.value, threshold: evaluation.threshold, rows: rows.testIndices.length };
  return promotionGate(candidate, measure, { maxRegression: config.monitor.maxRegression, serveBelowThreshold: config.monitor.serveBelowThreshold, positive: config.dataset.positive, rollout: config.rollout.strategy });
}
