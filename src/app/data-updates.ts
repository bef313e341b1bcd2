import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { createHash } from 'node:crypto';
import type { Dataset, DatasetOptions } from '../core/dataset.js';
import { DatasetError, parseDataset } from '../core/dataset.js';
import type { ReadProgress } from '../adapters/data-source.js';
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
  /** The new snapshot's columns differ from the active model's features: what changed, in words. */
  readonly featureChange?: string;
}

export interface UpdateOptions {
  /** Told how much of an http(s) source is read (the CLI's progress bar). */
  readonly onProgress?: ReadProgress;
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

  /** One snapshot (its source's secret redacted); undefined when there is none with this id. */
  async snapshot(id: number): Promise<Snapshot | undefined> {
    const snapshot = await this.deps.store.snapshots.get(id);
    return snapshot && shown(snapshot);
  }

  /**
   * Re-reads the source into a new snapshot, or finds it unchanged (the same bytes read with the
   * same options as the latest snapshot). A new snapshot may have other columns than the active
   * model's features: it is kept (a new feature schema makes a new model when trained on), the
   * active model serves on, and the log says what changed.
   */
  async update(options: UpdateOptions = {}): Promise<UpdateOutcome> {
    const { config, store, registry, clock, log, env } = this.deps;
    const reading = readingOf(config);
    const readingKey = readingKeyOf(config);
    const { timeoutMs, maxBytes, query } = config.dataset;
    // Only the redacted source is recorded, logged or put in a message: the secret stays in the
    // configuration and the environment.
    const { source, text, contentHash } = await readSource(datasetSource(config), { timeoutMs, maxBytes }, { query, env, onProgress: options.onProgress }).catch((e: unknown) => {
      throw e instanceof DataSourceError ? new UpstreamError(e.message, undefined, { cause: e }) : e;
    });
    const latest = await store.snapshots.latest();
    if (latest?.contentHash === contentHash && latest.readingKey === readingKey) {
      log.info({ snapshot: latest.id, source }, 'data source unchanged');
      return { status: 'unchanged', snapshot: shown(latest) };
    }
    const dataset = this.parse(text, reading, undefined, `${source}: `, previousKept(latest));
    const classCounts: Record<string, number> = {};
    for (const label of dataset.y) classCounts[label] = (classCounts[label] ?? 0) + 1;
    const snapshot = await store.snapshots.create({
      source,
      contentHash,
      text,
      rowCount: dataset.y.length,
      classCounts,
      featureNames: [...dataset.featureNames],
      reading,
      readingKey,
      unlabelledRows: dataset.unlabelledRows,
      now: clock.now(),
    });
    const change = featureChange(registry.serving?.artifact.featureNames, dataset.featureNames);
    log.info({ snapshot: snapshot.id, rows: snapshot.rowCount, unlabelledRows: dataset.unlabelledRows, source }, `new data snapshot${change ? `: ${change}` : ''}`);
    return { status: 'created', snapshot, ...(change ? { featureChange: change } : {}) };
  }

  /**
   * The snapshot a training uses: the latest, unless the configured source or reading options
   * changed since it was taken (or there is none); then a new one is taken first, and `reason` says why.
   */
  async current(): Promise<{ readonly snapshot: Snapshot; readonly reason: string | null }> {
    const latest = await this.deps.store.snapshots.latest();
    if (latest && (latest.readingKey === null || latest.readingKey === readingKeyOf(this.deps.config))) return { snapshot: latest, reason: null };
    const reason = latest ? `the configured source or reading options changed since snapshot ${latest.id}` : 'no snapshot yet';
    const { snapshot } = await this.update();
    this.deps.log.info({ snapshot: snapshot.id }, `took snapshot ${snapshot.id} first: ${reason}`);
    return { snapshot, reason };
  }

  /** Parses with the reading options; a bad CSV becomes InvalidDataError, prefixed and suffixed. */
  private parse(text: string, reading: DatasetReading, features: readonly string[] | undefined, prefix: string, suffix = ''): Dataset {
    try {
      return parseDataset(text, { ...reading, features });
    } catch (e) {
      if (e instanceof DatasetError) throw new InvalidDataError(`${prefix}${e.message}${suffix}`, { line: e.line, column: e.column }, { cause: e });
      throw e;
    }
  }

  /**
   * The data set of a stored snapshot, read as it was when taken (snapshots from before reading
   * options were recorded: as the configuration says now); in `features` order if given.
   */
  async load(snapshot: Snapshot, features?: readonly string[]): Promise<Dataset> {
    const reading = (snapshot.reading as DatasetReading | null) ?? readingOf(this.deps.config);
    return this.parse(await this.deps.store.snapshots.text(snapshot.id), reading, features, `snapshot ${snapshot.id} does not fit: `);
  }
}

/** The configuration keys that decide how the source's text becomes a data set. */
export type DatasetReading = Omit<DatasetOptions, 'features'>;

function readingOf(config: Config): DatasetReading {
  const { label, positive, drop, header, columns, delimiter, naValues, categorical } = config.dataset;
  return { label, positive, drop, header, ...(columns ? { columns } : {}), delimiter, naValues, categorical };
}

/** Names what was read and how: the source (and query) with the reading options, hashed. */
function readingKeyOf(config: Config): string {
  const { source, query } = config.dataset;
  return createHash('sha256')
    .update(JSON.stringify({ source: source ?? null, query: query ?? null, reading: readingOf(config) }))
    .digest('hex');
}

function previousKept(latest: Snapshot | undefined): string {
  return latest ? `; the previous snapshot (${latest.id}) is kept` : '; no snapshot was taken';
}

/** What changed in the columns against the active model's features, in words; null when nothing. */
function featureChange(modelFeatures: readonly string[] | undefined, features: readonly string[]): string | null {
  if (!modelFeatures) return null;
  const added = features.filter((f) => !modelFeatures.includes(f));
  const removed = modelFeatures.filter((f) => !features.includes(f));
  if (added.length === 0 && removed.length === 0) return null;
  const parts = [...(added.length ? [`new column${added.length > 1 ? 's' : ''} ${added.join(', ')}`] : []), ...(removed.length ? [`no ${removed.join(', ')}`] : [])];
  return `${parts.join('; ')}: the active model keeps serving; a training on this snapshot makes a model of the new features`;
}
