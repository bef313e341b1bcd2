import type { Kysely, Selectable } from 'kysely';
import type { TrainingMode } from '../core/model-artifact.js';
import type { Instant } from './column-values.js';
import { fromJson, fromJsonOrNull, isoTime, toJson, toJsonOrNull } from './column-values.js';
import { ActiveModelStatusError, RecordNotFoundError } from './errors.js';
import type { ActivationsTable, DatabaseSchema, ModelsTable, Page } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

export const modelStatuses = ['active', 'candidate', 'rejected', 'retired'] as const;
export type ModelStatus = (typeof modelStatuses)[number];
/** Every status but 'active', which a model gets only through `activate`. */
export type InactiveModelStatus = Exclude<ModelStatus, 'active'>;
export type ActivationReason = 'first' | 'gate' | 'promote' | 'rollback';

/** A registry entry without its fitted pipeline, for listings. */
export interface ModelSummary {
  readonly version: number;
  readonly createdAt: string;
  readonly mode: TrainingMode;
  readonly params: unknown;
  readonly gridSearch: unknown;
  readonly snapshotId: number;
  readonly metrics: unknown;
  readonly reportText: string;
  readonly monitoredMetric: string;
  readonly monitoredValue: number;
  readonly threshold: number;
  readonly trainingMs: number;
  readonly status: ModelStatus;
  readonly gateReason: string | null;
  readonly runId: number | null;
}

export interface Model extends ModelSummary {
  /** The fitted pipeline exactly as it was passed to `create`, through JSON. */
  readonly pipeline: unknown;
  /** The training split's feature profile (null for models trained before drift monitoring). */
  readonly reference: unknown;
}

export interface Activation {
  readonly id: number;
  readonly modelVersion: number;
  readonly previousVersion: number | null;
  readonly reason: ActivationReason;
  readonly activatedAt: string;
}

export interface CreateModelInput {
  readonly mode: TrainingMode;
  readonly params: unknown;
  /**
   * Written with `JSON.stringify`, which keeps every finite double bit-exact. It turns -0 into 0;
   * the fitted pipeline only adds and multiplies such values, where -0 and 0 give the same result
   * except for the sign of an exact zero, which no prediction depends on.
   */
  readonly pipeline: unknown;
  readonly gridSearch: unknown;
  readonly snapshotId: number;
  readonly metrics: unknown;
  readonly reportText: string;
  readonly monitoredMetric: string;
  readonly monitoredValue: number;
  readonly threshold: number;
  readonly trainingMs: number;
  readonly status: InactiveModelStatus;
  readonly gateReason?: string | null;
  readonly runId?: number | null;
  /** The training split's feature profile, for drift monitoring. */
  readonly reference?: unknown;
  readonly now: Instant;
}

export interface ActivateOptions {
  readonly reason: ActivationReason;
  readonly now: Instant;
}

const summaryColumns = [
  'version',
  'created_at',
  'mode',
  'params_json',
  'grid_search_json',
  'snapshot_id',
  'metrics_json',
  'report_text',
  'monitored_metric',
  'monitored_value',
  'threshold',
  'training_ms',
  'status',
  'gate_reason',
  'run_id',
] as const;

/** The model registry: versions, their status, and the log of which version served when. */
export class ModelRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly dialect: StoreDialect,
  ) {}

  /** Registers a new version (numbered by the database) with the given non-active status. */
  async create(input: CreateModelInput): Promise<Model> {
    const row = await this.db
      .insertInto('models')
      .values({
        created_at: isoTime(input.now),
        mode: input.mode,
        params_json: toJson(input.params),
        pipeline_json: toJson(input.pipeline),
        grid_search_json: toJsonOrNull(input.gridSearch),
        snapshot_id: input.snapshotId,
        metrics_json: toJson(input.metrics),
        report_text: input.reportText,
        monitored_metric: input.monitoredMetric,
        monitored_value: input.monitoredValue,
        threshold: input.threshold,
        training_ms: input.trainingMs,
        status: inactive(input.status),
        gate_reason: input.gateReason ?? null,
        run_id: input.runId ?? null,
        reference_json: toJsonOrNull(input.reference ?? null),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toModel(row);
  }

  async get(version: number): Promise<Model | undefined> {
    const row = await this.db.selectFrom('models').selectAll().where('version', '=', version).executeTakeFirst();
    return row && toModel(row);
  }

  /** Newest first, without the pipelines. */
  async list(page: Page): Promise<ModelSummary[]> {
    const rows = await this.db
      .selectFrom('models')
      .select(summaryColumns)
      .orderBy('version', 'desc')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute();
    return rows.map(toSummary);
  }

  async active(): Promise<Model | undefined> {
    const row = await this.db.selectFrom('models').selectAll().where('status', '=', 'active').executeTakeFirst();
    return row && toModel(row);
  }

  /** The active version alone: what every replica polls to notice a promotion elsewhere. */
  async activeVersion(): Promise<number | undefined> {
    const row = await this.db.selectFrom('models').select('version').where('status', '=', 'active').executeTakeFirst();
    return row?.version;
  }

  /**
   * Makes `version` the one active model, retires the one before it and logs the change, all in
   * one transaction. Activating the version that is already active changes nothing.
   */
  async activate(version: number, options: ActivateOptions): Promise<Model> {
    const activatedAt = isoTime(options.now);
    const row = await this.db.transaction().execute(async (trx) => {
      // Two concurrent activations would otherwise each retire the model that was active when they
      // started, and the second would then hit the one-active index.
      await this.dialect.acquireTransactionLock(trx, 'mloop.models.activate');
      const target = await trx.selectFrom('models').select('status').where('version', '=', version).executeTakeFirst();
      if (!target) throw new RecordNotFoundError('model', version);
      if (target.status !== 'active') {
        const previous = await trx
          .updateTable('models')
          .set({ status: 'retired' })
          .where('status', '=', 'active')
          .returning('version')
          .executeTakeFirst();
        await trx.updateTable('models').set({ status: 'active' }).where('version', '=', version).execute();
        await trx
          .insertInto('activations')
          .values({
            model_version: version,
            previous_version: previous?.version ?? null,
            reason: options.reason,
            activated_at: activatedAt,
          })
          .execute();
      }
      return trx.selectFrom('models').selectAll().where('version', '=', version).executeTakeFirstOrThrow();
    });
    return toModel(row);
  }

  /**
   * The version that was active before the current one, from the activations log. After a
   * rollback this is the version rolled back from, so a second rollback undoes the first.
   */
  async previousActive(): Promise<number | undefined> {
    const last = await this.db
      .selectFrom('activations')
      .select('previous_version')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return last?.previous_version ?? undefined;
  }

  /** Newest first. */
  async activations(page: Page): Promise<Activation[]> {
    const rows = await this.db
      .selectFrom('activations')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute();
    return rows.map(toActivation);
  }

  /** Records a gate decision or a manual retirement; the active model is changed only by `activate`. */
  async setStatus(version: number, status: InactiveModelStatus, gateReason: string | null): Promise<Model> {
    const row = await this.db
      .updateTable('models')
      .set({ status: inactive(status, version), gate_reason: gateReason })
      .where('version', '=', version)
      .where('status', '!=', 'active')
      .returningAll()
      .executeTakeFirst();
    if (row) return toModel(row);
    const existing = await this.db.selectFrom('models').select('status').where('version', '=', version).executeTakeFirst();
    if (!existing) throw new RecordNotFoundError('model', version);
    throw new ActiveModelStatusError(version, status);
  }
}

/** The types already exclude 'active'; this keeps a cast or a JavaScript caller from bypassing the log. */
function inactive(status: InactiveModelStatus, version?: number): InactiveModelStatus {
  if ((status as ModelStatus) === 'active') throw new ActiveModelStatusError(version, status);
  return status;
}

function toSummary(row: Pick<Selectable<ModelsTable>, (typeof summaryColumns)[number]>): ModelSummary {
  return {
    version: row.version,
    createdAt: row.created_at,
    mode: row.mode as TrainingMode,
    params: fromJson(row.params_json),
    gridSearch: fromJsonOrNull(row.grid_search_json),
    snapshotId: row.snapshot_id,
    metrics: fromJson(row.metrics_json),
    reportText: row.report_text,
    monitoredMetric: row.monitored_metric,
    monitoredValue: row.monitored_value,
    threshold: row.threshold,
    trainingMs: row.training_ms,
    status: row.status as ModelStatus,
    gateReason: row.gate_reason,
    runId: row.run_id,
  };
}

function toModel(row: Selectable<ModelsTable>): Model {
  return { ...toSummary(row), pipeline: fromJson(row.pipeline_json), reference: fromJsonOrNull(row.reference_json) };
}

function toActivation(row: Selectable<ActivationsTable>): Activation {
  return {
    id: row.id,
    modelVersion: row.model_version,
    previousVersion: row.previous_version,
    reason: row.reason as ActivationReason,
    activatedAt: row.activated_at,
  };
}
