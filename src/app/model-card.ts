import type { ClassificationMetrics } from '../core/classification-metrics.js';
import type { GridSearchResult } from '../core/grid-search.js';
import type { TrainingParams } from '../core/model-artifact.js';
import { datasetTitle } from '../config/dataset-title.js';
import type { AuditEntry } from '../store/audit-repository.js';
import type { ModelSummary } from '../store/model-repository.js';
import type { Snapshot } from '../store/snapshot-repository.js';
import type { Application } from './application.js';
import type { DriftResult } from './drift-monitor.js';
import type { LiveReport, LiveVersion } from './monitoring.js';

/** Everything a model card shows, gathered once: the page is a function of it (model-card-html.ts). */
export interface ModelCardData {
  readonly title: string;
  /** `dataset.intendedUse`; null when the configuration does not state it (the card says so). */
  readonly intendedUse: string | null;
  readonly generatedAt: string;
  readonly positive: string;
  readonly classNames: Readonly<Record<string, string>>;
  readonly model: ModelSummary;
  readonly params: Partial<TrainingParams>;
  readonly metrics: ClassificationMetrics;
  readonly gridSearch: GridSearchResult | null;
  readonly snapshot: Snapshot | null;
  /** Promotions, rollbacks and gate activations that put this version into service or took it out. */
  readonly servingHistory: readonly AuditEntry[];
  readonly live: { readonly report: LiveReport; readonly version: LiveVersion | null };
  readonly drift: DriftResult | null;
}

/** How many audit entries are searched for the version's serving history. */
const auditDepth = 1000;

/** The data of version `version`'s model card, as of `now`. Reads only: no drift or live figure is computed beyond what a read computes. */
export async function modelCardData(app: Application, version: number, now: Date): Promise<ModelCardData> {
  const { pipeline: _pipeline, reference: _reference, ...model } = await app.registry.get(version);
  const [snapshot, audit, live, drift] = await Promise.all([app.data.snapshot(model.snapshotId), app.registry.audit(auditDepth, 0), app.monitoring.live(), app.monitoring.storedDrift(version)]);
  const { dataset } = app.config;
  return {
    title: datasetTitle(dataset),
    intendedUse: dataset.intendedUse ?? null,
    generatedAt: now.toISOString(),
    positive: dataset.positive,
    classNames: dataset.classNames,
    model,
    params: (model.params ?? {}) as Partial<TrainingParams>,
    metrics: model.metrics as ClassificationMetrics,
    gridSearch: (model.gridSearch as GridSearchResult | null) ?? null,
    snapshot: snapshot ?? null,
    servingHistory: audit.filter((e) => e.toVersion === version || e.fromVersion === version).reverse(),
    live: { report: live, version: live.versions.find((v) => v.modelVersion === version) ?? null },
    drift,
  };
}
