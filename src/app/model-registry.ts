import type { Logger } from 'pino';
import { metricVerdict } from '../core/monitored-metric.js';
import type { MonitoredMetric } from '../core/monitored-metric.js';
import { simdKernelAvailable } from '../core/svc/rbf-kernel-simd.js';
import type { AuditActor, AuditEntry, AuditInput } from '../store/audit-repository.js';
import type { ActivationReason, Model, ModelSummary } from '../store/model-repository.js';
import type { Store } from '../store/database.js';
import type { Alerting } from './alerting.js';
import type { Clock } from './clock.js';
import { ConflictError, InvalidInputError, NoServingModelError, NotFoundError, NotTrainedError } from './errors.js';
import type { ExportFormat } from './export-format.js';
import type { ModelExport } from './model-export.js';
import type { ServingModel } from './serving-model.js';
import { toServingModel } from './serving-model.js';

/**
 * The registry of model versions and the one that serves. The store is the truth (at most one
 * active version); this process holds that version ready to predict and swaps it by replacing a
 * single reference, so a request sees either the old model or the new one, never a mix.
 */
export interface ModelRegistryDeps {
  readonly store: Store;
  readonly alerting: Alerting;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Who asks for a change to what serves, and whether they insist. A version the gate rejected serves
 * only by force, with a reason: the audit log keeps both.
 */
export interface ChangeRequest {
  readonly actor: AuditActor;
  readonly force?: boolean;
  readonly reason?: string | null;
}

export class ModelRegistry {
  private current: ServingModel | null = null;
  /** The newest version while none serves (the gate rejected it): what a prediction is told. */
  private heldBack: ModelSummary | null = null;

  constructor(private readonly deps: ModelRegistryDeps) {}

  /** The version that serves in this process, or null before the first one. */
  get serving(): ServingModel | null {
    return this.current;
  }

  /**
   * The version that serves; if none does, the error that says why: none trained yet, or every
   * version rejected by the gate (`monitor.serveBelowThreshold` false) and none forced into service.
   */
  require(): ServingModel {
    if (this.current) return this.current;
    const held = this.heldBack;
    if (!held) throw new NotTrainedError('no model is active yet: train one first (POST /api/v1/train)');
    const verdict = metricVerdict(held.monitoredMetric as MonitoredMetric, held.monitoredValue, held.threshold, (held.metrics as { positive: string }).positive);
    throw new NoServingModelError(
      `no model serves: the promotion gate rejected v${held.version} (${verdict.label} ${held.monitoredValue.toFixed(4)}, threshold ${held.threshold}) and monitor.serveBelowThreshold is false. ` +
        `Train a model that passes the gate, or put one into service with force: POST /api/v1/models/${held.version}/promote {"force": true, "reason": "..."} (mloop models promote ${held.version} --force --reason "...")`,
      { version: held.version, gateVerdict: held.gateVerdict, gateReason: held.gateReason },
    );
  }

  /** The active version's registry entry (its test-split evaluation); NotTrainedError before the first. */
  active(): ModelSummary {
    if (!this.current) throw new NotTrainedError();
    return this.current.summary;
  }

  /** Loads the active version if it changed (another process may have promoted one). */
  async sync(): Promise<ServingModel | null> {
    const version = await this.deps.store.models.activeVersion();
    if (version === undefined) {
      this.heldBack = (await this.deps.store.models.list({ limit: 1 }))[0] ?? null;
      return this.current;
    }
    if (version === this.current?.version) return this.current;
    const active = await this.deps.store.models.active();
    if (active) this.swapIn(active);
    return this.current;
  }

  private swapIn(model: Model): void {
    const previous = this.current?.version;
    this.current = toServingModel(model);
    this.heldBack = null;
    const { kernel } = this.current.predictor;
    this.deps.log.info({ version: model.version, previous, mode: model.mode, kernel }, `serving model v${model.version}`);
    if (kernel === 'js' && simdKernelAvailable()) {
      this.deps.log.warn(
        { version: model.version, kernel },
        `model v${model.version} predicts with the JavaScript kernel loops (the same answers, slower): this process was refused memory for the WebAssembly kernel, which needs 8 GiB or more of address space (is there an address-space limit, such as ulimit -v or systemd's LimitAS=?)`,
      );
    }
  }

  /**
   * Puts `version` into service and records the change in the audit log; with `replacing`, only if
   * that version (null: none) still serves (ActiveModelChangedError otherwise).
   */
  async activate(version: number, reason: ActivationReason, audit: AuditInput, replacing?: number | null): Promise<ServingModel> {
    const model = await this.deps.store.models.get(version);
    if (!model) throw new NotFoundError(`no model version ${version}`);
    const activated = await this.deps.store.models.activate(version, { reason, now: this.deps.clock.now(), audit, replacing });
    this.swapIn(activated);
    return this.current as ServingModel;
  }

  /**
   * An admin's choice: any version, but one the gate rejected only with `force` and a reason. It
   * also closes the rejection alerts and re-checks the recall rule.
   */
  async promote(version: number, request: ChangeRequest): Promise<ModelSummary> {
    const target = await this.get(version);
    const forced = this.forced(target, request, `promoting v${version}`);
    const serving = await this.activate(version, 'promote', { action: forced ? 'forced_promotion' : 'promotion', actor: request.actor, reason: request.reason?.trim() || null });
    await this.afterManualChange(serving);
    await this.deps.alerting.promoted(version);
    return serving.summary;
  }

  private async afterManualChange(serving: ServingModel): Promise<void> {
    await this.deps.alerting.recall(serving.version, serving.summary.snapshotId, serving.summary.monitoredValue);
  }

  /** Makes the version that served before the current one active again (by force if the gate rejected it). */
  async rollback(request: ChangeRequest): Promise<ModelSummary> {
    const previous = await this.deps.store.models.previousActive();
    if (previous === undefined) throw new ConflictError('nothing to roll back to: no model was active before the current one');
    const forced = this.forced(await this.get(previous), request, `rolling back to v${previous}`);
    const serving = await this.activate(previous, 'rollback', { action: forced ? 'forced_rollback' : 'rollback', actor: request.actor, reason: request.reason?.trim() || null });
    await this.afterManualChange(serving);
    return serving.summary;
  }

  /**
   * Whether putting `model` into service is forced (the gate rejected it); a ConflictError naming
   * the rejection when it is and the request does not insist. Serving it already is no change.
   */
  private forced(model: ModelSummary, request: ChangeRequest, what: string): boolean {
    if (request.force && !request.reason?.trim()) throw new InvalidInputError('force needs a reason: say why this version should serve (it goes to the audit log)');
    if (model.gateVerdict !== 'rejected' || model.servingStatus === 'active') return false;
    if (!request.force) {
      throw new ConflictError(
        `v${model.version} was rejected by the promotion gate (${model.gateReason ?? 'no reason recorded'}): ${what} needs force and a reason ` +
          `({"force": true, "reason": "..."} in the API, --force --reason "..." in the CLI)`,
        { version: model.version, gateVerdict: model.gateVerdict, gateReason: model.gateReason, forceRequired: true },
      );
    }
    return true;
  }

  async list(limit = 50, offset = 0): Promise<ModelSummary[]> {
    return this.deps.store.models.list({ limit, offset });
  }

  async get(version: number): Promise<Model> {
    const model = await this.deps.store.models.get(version);
    if (!model) throw new NotFoundError(`no model version ${version}`);
    return model;
  }

  /**
   * A version's whole pipeline as a file other engines run (ONNX); NotFoundError for an unknown
   * version, NotExportableError when the pipeline cannot be written in that format.
   */
  async export(version: number, format: ExportFormat, mloopVersion: string): Promise<ModelExport> {
    const model = await this.get(version);
    // A model's snapshot is kept while the model is (a foreign key): 'unknown' is only a fallback.
    const dataSnapshotHash = (await this.deps.store.snapshots.get(model.snapshotId))?.contentHash ?? 'unknown';
    switch (format) {
      case 'onnx':
        // The ONNX writer (protobufjs) is loaded by the first export, not by every start.
        return (await import('./model-export.js')).exportModelOnnx(model, { mloopVersion, dataSnapshotHash });
    }
  }

  /** Every change to what served, newest first. */
  audit(limit = 50, offset = 0): Promise<AuditEntry[]> {
    return this.deps.store.audit.list({ limit, offset });
  }
}
