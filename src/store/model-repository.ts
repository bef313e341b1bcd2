import type { Kysely, Selectable, Transaction } from 'kysely';
import type { TrainingMode } from '../core/model-artifact.js';
import type { GateVerdict } from '../core/promotion-gate.js';
import type { AuditInput } from './audit-repository.js';
import { insertAuditEntry } from './audit-repository.js';
import type { Instant } from './column-values.js';
import { fromJson, fromJsonOrNull, isoTime, toJson, toJsonOrNull } from './column-values.js';
import { ActiveModelChangedError, ActiveModelStatusError, RecordNotFoundError } from './errors.js';
import type { ActivationsTable, DatabaseSchema, ModelsTable, Page } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

/**
 * Whether a version serves: `active` (the one that answers predictions), `candidate` (trained,
 * never served), `challenger` (a rollout's candidate, answering beside the active one) or
 * `retired` (served once). Independent of the gate's verdict, which never changes.
 */
export const servingStatuses = ['active', 'candidate', 'challenger', 'retired'] as const;
export type ServingStatus = (typeof servingStatuses)[number];
/** Every serving status but 'active', which a model gets only through `activate`. */
export type InactiveServingStatus = Exclude<ServingStatus, 'active'>;

/**
 * The status the API and the store sent before the verdict and the serving status were split, kept
 * for old clients: `active` if the version serves, else `rejected` if the gate rejected it, else
 * its serving status (a challenger reads as `candidate`).
 */
export const modelStatuses = ['active', 'candidate', 'rejected', 'retired'] as const;
export type ModelStatus = (typeof modelStatuses)[number];
export type ActivationReason = 'first' | 'gate' | 'promote' | 'rollback';

export function legacyStatus(gateVerdict: GateVerdict, servingStatus: ServingStatus): ModelStatus {
  if (servingStatus === 'active') return 'active';
  if (gateVerdict === 'rejected') return 'rejected';
  return servingStatus === 'challenger' ? 'candidate' : servingStatus;
}

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
  /** For old clients: see `legacyStatus`. */
  readonly status: ModelStatus;
  /** The promotion gate's verdict when the version was trained, kept whatever serves later. */
  readonly gateVerdict: GateVerdict;
  readonly servingStatus: ServingStatus;
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

type TrainingRecord = 'mode' | 'params' | 'gridSearch' | 'snapshotId' | 'metrics' | 'reportText' | 'monitoredMetric' | 'monitoredValue' | 'threshold' | 'trainingMs';

export interface CreateModelInput extends Pick<ModelSummary, TrainingRecord> {
  /**
   * Written with `JSON.stringify`, which keeps every finite double bit-exact. It turns -0 into 0;
   * the fitted pipeline only adds and multiplies such values, where -0 and 0 give the same result
   * except for the sign of an exact zero, which no prediction depends on.
   */
  readonly pipeline: unknown;
  /** The gate's verdict; a new version does not serve until `activate`. */
  readonly gateVerdict: GateVerdict;
  readonly gateReason?: string | null;
  readonly runId?: number | null;
  /** The training split's feature profile, for drift monitoring. */
  readonly reference?: unknown;
  readonly now: Instant;
}

export interface ActivateOptions {
  readonly reason: ActivationReason;
  readonly now: Instant;
  /** The audit log's entry for this change, written with it (nothing is written if nothing changes). */
  readonly audit?: AuditInput;
  /**
   * The version the decision was taken against (null: none served). If another serves by now, the
   * activation is refused with ActiveModelChangedError: the gate compared with a model that is gone.
   */
  readonly replacing?: number | null;
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
  'gate_verdict',
  'serving_status',
  'gate_reason',
  'run_id',
] as const;

/** The model registry: versions, their verdicts, what serves, and the log of which version served when. */
export class ModelRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly dialect: StoreDialect,
  ) {}

  /** Registers a new version (numbered by the database) with its gate verdict; it serves only once activated. */
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
        status: legacyStatus(verdict(input.gateVerdict), 'candidate'),
        gate_verdict: input.gateVerdict,
        serving_status: 'candidate',
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
    const row = await this.db.selectFrom('models').selectAll().where('serving_status', '=', 'active').executeTakeFirst();
    return row && toModel(row);
  }

  /** The active version alone: what every replica polls to notice a promotion elsewhere. */
  async activeVersion(): Promise<number | undefined> {
    const row = await this.db.selectFrom('models').select('version').where('serving_status', '=', 'active').executeTakeFirst();
    return row?.version;
  }

  /**
   * Makes `version` the one active model, retires the one before it and logs the change (and its
   * audit entry, when given), all in one transaction. Activating the version that is already active
   * changes nothing and logs nothing.
   */
  async activate(version: number, options: ActivateOptions): Promise<Model> {
    const activatedAt = isoTime(options.now);
    const row = await this.db.transaction().execute(async (trx) => {
      // Two concurrent activations would otherwise each retire the model that was active when they
      // started, and the second would then hit the one-active index.
      await this.dialect.acquireTransactionLock(trx, 'mloop.models.activate');
      const target = await trx.selectFrom('models').select('serving_status').where('version', '=', version).executeTakeFirst();
      if (!target) throw new RecordNotFoundError('model', version);
      if (target.serving_status !== 'active') {
        const previous = await trx.selectFrom('models').select('version').where('serving_status', '=', 'active').executeTakeFirst();
        const serving = previous?.version ?? null;
        if (options.replacing !== undefined && options.replacing !== serving) throw new ActiveModelChangedError(version, options.replacing, serving);
        if (previous) await setServing(trx, previous.version, 'retired');
        await setServing(trx, version, 'active');
        await trx
          .insertInto('activations')
          .values({
            model_version: version,
            previous_version: previous?.version ?? null,
            reason: options.reason,
            activated_at: activatedAt,
          })
          .execute();
        if (options.audit) await insertAuditEntry(trx, { ...options.audit, fromVersion: previous?.version ?? null, toVersion: version, now: activatedAt });
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

  /**
   * Moves a version that does not serve between the other serving statuses (a rollout makes one a
   * challenger, then retires it); the active model is changed only by `activate`. The gate's
   * verdict has no setter: it is written once, by `create`.
   */
  async setServingStatus(version: number, status: InactiveServingStatus): Promise<Model> {
    if ((status as ServingStatus) === 'active') throw new ActiveModelStatusError(version, status);
    const row = await this.db.transaction().execute(async (trx) => {
      await this.dialect.acquireTransactionLock(trx, 'mloop.models.activate');
      const existing = await trx.selectFrom('models').select('serving_status').where('version', '=', version).executeTakeFirst();
      if (!existing) throw new RecordNotFoundError('model', version);
      if (existing.serving_status === 'active') throw new ActiveModelStatusError(version, status);
      await setServing(trx, version, status);
      return trx.selectFrom('models').selectAll().where('version', '=', version).executeTakeFirstOrThrow();
    });
    return toModel(row);
  }
}

/** Sets a version's serving status, and the old `status` column from it and the verdict. */
async function setServing(trx: Transaction<DatabaseSchema>, version: number, status: ServingStatus): Promise<void> {
  const { gate_verdict } = await trx.selectFrom('models').select('gate_verdict').where('version', '=', version).executeTakeFirstOrThrow();
  await trx
    .updateTable('models')
    .set({ serving_status: status, status: legacyStatus(gate_verdict as GateVerdict, status) })
    .where('version', '=', version)
    .execute();
}

/** The types say it already; this keeps a cast or a JavaScript caller from storing another word. */
function verdict(value: GateVerdict): GateVerdict {
  if (value !== 'passed' && value !== 'rejected') throw new TypeError(`a gate verdict is 'passed' or 'rejected', got ${JSON.stringify(value)}`);
  return value;
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
    gateVerdict: row.gate_verdict as GateVerdict,
    servingStatus: row.serving_status as ServingStatus,
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
