import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../core/dataset.js';
import { DatasetError, parseDataset } from '../core/dataset.js';
import { bundledDatasetPath, DataSourceError, readSource } from '../adapters/data-source.js';
import { redactSource } from '../core/data-source-url.js';
import type { Store } from '../store/database.js';
import type { Snapshot } from '../store/snapshot-repository.js';
import type { ModelRegistry } from './model-registry.js';
import type { Clock } from './clock.js';
import { InvalidDataError, UpstreamError } from './errors.js';

export const updateStatuses = ['created', 'unchanged'] as const;
export type UpdateStatus = (typeof updateStatuses)[number];

export interface UpdateOutcome {
  /** `created`: a new snapshot; `unchanged`: the source holds the same bytes as the latest one. */
  readonly status: UpdateStatus;
  readonly snapshot: Snapshot;
}

export function datasetSource(config: Config): string {
  return config.dataset.source ?? bundledDatasetPath;
}

/**
 * Re-reads the data set from its source and keeps it as a snapshot. A source that fails or returns
 * invalid data changes nothing: the previous snapshot stays the latest.
 */
export interface DataUpdatesDeps {
  readonly config: Config;
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly clock: Clock;
  readonly log: Logger;
  /** The source's credentials (MLOOP_DATASET_TOKEN, MLOOP_DATASET_PASSWORD, PGPASSWORD). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A snapshot as it is shown. New snapshots record the redacted source already; this also covers
 * those recorded before, which may hold the source's secret.
 */
const shown = (snapshot: Snapshot): Snapshot => ({ ...snapshot, source: redactSource(snapshot.source) });

export class DataUpdates {
  constructor(private readonly deps: DataUpdatesDeps) {}

  /** Snapshots, newest first. */
  async snapshots(limit: number, offset: number): Promise<Snapshot[]> {
    return (await this.deps.store.snapshots.list({ limit, offset })).map(shown);
  }

  /**
   * Re-reads the source into a new snapshot (or finds it unchanged). The rows must have the active
   * model's features, when a model serves.
   */
  async update(): Promise<UpdateOutcome> {
    const { config, store, registry, clock, log, env } = this.deps;
    const expectedFeatures = registry.serving?.artifact.featureNames;
    const { timeoutMs, maxBytes, query } = config.dataset;
    // Only the redacted source is recorded, logged or put in a message: the secret stays in the
    // configuration and the environment.
    const { source, text, contentHash } = await readSource(datasetSource(config), { timeoutMs, maxBytes }, { query, env }).catch((e: unknown) => {
      throw e instanceof DataSourceError ? new UpstreamError(e.message, undefined, { cause: e }) : e;
    });
    const latest = await store.snapshots.latest();
    if (latest?.contentHash === contentHash) {
      log.info({ snapshot: latest.id, source }, 'data source unchanged');
      return { status: 'unchanged', snapshot: shown(latest) };
    }
    const dataset = this.parse(text, expectedFeatures, `${source}: `, '; the previous snapshot is kept');
    const classCounts: Record<string, number> = {};
    for (const label of dataset.y) classCounts[label] = (classCounts[label] ?? 0) + 1;
    const snapshot = await store.snapshots.create({
      source,
      contentHash,
      text,
      rowCount: dataset.y.length,
      classCounts,
      featureNames: [...dataset.featureNames],
      now: clock.now(),
    });
    log.info({ snapshot: snapshot.id, rows: snapshot.rowCount, unlabelledRows: dataset.unlabelledRows, source }, 'new data snapshot');
    return { status: 'created', snapshot };
  }

  /** Parses with the configured label, columns and reading options; a bad CSV becomes InvalidDataError, prefixed and suffixed. */
  private parse(text: string, features: readonly string[] | undefined, prefix: string, suffix = ''): Dataset {
    try {
      return parseDataset(text, { ...this.deps.config.dataset, features });
    } catch (e) {
      if (e instanceof DatasetError) throw new InvalidDataError(`${prefix}${e.message}${suffix}`, { line: e.line, column: e.column }, { cause: e });
      throw e;
    }
  }

  /** The data set of a stored snapshot (validated when it was taken), in `features` order if given. */
  async load(snapshot: Snapshot, features: readonly string[] = snapshot.featureNames): Promise<Dataset> {
    return this.parse(await this.deps.store.snapshots.text(snapshot.id), features, `snapshot ${snapshot.id} does not fit: `);
  }
}
