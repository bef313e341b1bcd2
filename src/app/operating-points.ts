import type { Config } from '../config/schema.js';
import type { ThresholdFigures } from '../core/threshold-what-if.js';
import { figuresAtThreshold, figuresFromTallies } from '../core/threshold-what-if.js';
import type { Store } from '../store/database.js';
import type { Clock } from './clock.js';
import type { DataUpdates } from './data-updates.js';
import type { HeldOutSplit } from './held-out-rows.js';
import { modelArtifactOf, rebuildTestSplit, requireTwoClasses } from './held-out-rows.js';
import type { ModelRegistry } from './model-registry.js';
import { describeWindow, resolveWindow } from './monitoring-window.js';
import type { PredictionLog } from './prediction-log.js';

/** Where a version's operating point comes from: libsvm's boundary (0), `monitor.targetRecall`, or an admin. */
export const thresholdSources = ['boundary', 'targetRecall', 'manual'] as const;
export type ThresholdSource = (typeof thresholdSources)[number];

/** What a decision threshold would give a two-class version, on its test split and on its live confirmed cases. */
export interface ThresholdWhatIf {
  readonly version: number;
  readonly positive: string;
  readonly threshold: number;
  /** The threshold the version applies. */
  readonly current: { readonly threshold: number; readonly source: ThresholdSource };
  readonly testSplit: ThresholdFigures & { readonly snapshotId: number };
  /** Over `monitor.window`, as live performance counts it. */
  readonly live: ThresholdFigures & { readonly window: string; readonly since: string | null };
}

export interface OperatingPointsDeps {
  readonly config: Config;
  readonly store: Store;
  readonly data: DataUpdates;
  readonly registry: ModelRegistry;
  readonly predictionLog: PredictionLog;
  readonly clock: Clock;
}

/** Rebuilt test splits kept: an admin dragging a threshold asks about the same version many times. */
const keptSplits = 4;

/** The what-if of a version's operating point (saving one is a training's job: `Trainings.retune`). */
export class OperatingPoints {
  private readonly splits = new Map<number, Promise<HeldOutSplit>>();

  constructor(private readonly deps: OperatingPointsDeps) {}

  /** What `at` (default: the version's own threshold) gives; a ConflictError for a model of more than two classes. */
  async whatIf(version: number, at?: number): Promise<ThresholdWhatIf> {
    const { config, store, predictionLog, clock, registry } = this.deps;
    const { positive } = config.dataset;
    const model = await registry.get(version);
    const artifact = modelArtifactOf(model);
    requireTwoClasses(model, artifact, positive);
    const own = artifact.decisionThreshold;
    const current = { threshold: own?.threshold ?? 0, source: own ? (own.source ?? 'targetRecall') : 'boundary' } as const;
    const threshold = at ?? current.threshold;
    const split = await this.testSplit(version);
    const { classes } = artifact.svc;
    await predictionLog.flush();
    const window = resolveWindow(config.monitor.window, clock.now());
    // The log keeps the raw decision value (> 0 toward classes[1]): the positive score's cut in its terms.
    const cut = positive === classes[1] ? ({ op: '>=', value: threshold } as const) : ({ op: '<=', value: -threshold } as const);
    const tallies = await store.predictions.confirmedBeyond(version, window, cut);
    return {
      version,
      positive,
      threshold,
      current,
      testSplit: { ...figuresAtThreshold(split.y, split.scores, classes, positive, threshold), snapshotId: split.snapshot.id },
      live: { ...figuresFromTallies(tallies, classes, positive, threshold), window: describeWindow(config.monitor.window, 'confirmed cases'), since: 'since' in window ? new Date(window.since).toISOString() : null },
    };
  }

  private testSplit(version: number): Promise<HeldOutSplit> {
    let split = this.splits.get(version);
    if (!split) {
      const { config, data, registry } = this.deps;
      split = registry.get(version).then((model) => rebuildTestSplit(model, { config, data }));
      split.catch(() => this.splits.delete(version));
      this.splits.set(version, split);
      if (this.splits.size > keptSplits) this.splits.delete(this.splits.keys().next().value as number);
    }
    return split;
  }
}
