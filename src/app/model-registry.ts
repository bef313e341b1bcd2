import type { Logger } from 'pino';
import type { ActivationReason, Model, ModelSummary } from '../store/model-repository.js';
import type { Store } from '../store/database.js';
import type { Alerting } from './alerting.js';
import type { Clock } from './clock.js';
import { ConflictError, NotFoundError, NotTrainedError } from './errors.js';
import type { ServingModel } from './serving-model.js';
import { toServingModel } from './serving-model.js';

/**
 * The registry of model versions and the one that serves. The store is the truth (exactly one
 * active version); this process holds that version ready to predict and swaps it by replacing a
 * single reference, so a request sees either the old model or the new one, never a mix.
 */
export interface ModelRegistryDeps {
  readonly store: Store;
  readonly alerting: Alerting;
  readonly clock: Clock;
  readonly log: Logger;
}

export class ModelRegistry {
  private current: ServingModel | null = null;

  constructor(private readonly deps: ModelRegistryDeps) {}

  /** The version that serves in this process, or null before the first one. */
  get serving(): ServingModel | null {
    return this.current;
  }

  /** The active version's registry entry (its test-split evaluation); NotTrainedError before the first. */
  active(): ModelSummary {
    if (!this.current) throw new NotTrainedError();
    return this.current.summary;
  }

  /** Loads the active version if it changed (another process may have promoted one). */
  async sync(): Promise<ServingModel | null> {
    const version = await this.deps.store.models.activeVersion();
    if (version === undefined || version === this.current?.version) return this.current;
    const active = await this.deps.store.models.active();
    if (active) this.swapIn(active);
    return this.current;
  }

  private swapIn(model: Model): void {
    const previous = this.current?.version;
    this.current = toServingModel(model);
    this.deps.log.info({ version: model.version, previous, mode: model.mode }, `serving model v${model.version}`);
  }

  async activate(version: number, reason: ActivationReason): Promise<ServingModel> {
    const model = await this.deps.store.models.get(version);
    if (!model) throw new NotFoundError(`no model version ${version}`);
    const activated = await this.deps.store.models.activate(version, { reason, now: this.deps.clock.now() });
    this.swapIn(activated);
    return this.current as ServingModel;
  }

  /** An admin's choice: it also settles the gate's rejection alert and re-checks the recall rule. */
  async promote(version: number): Promise<ModelSummary> {
    const serving = await this.activate(version, 'promote');
    await this.afterManualChange(serving);
    await this.deps.alerting.rejectionCleared(version, 'promoted');
    return serving.summary;
  }

  private async afterManualChange(serving: ServingModel): Promise<void> {
    await this.deps.alerting.recall(serving.version, serving.summary.snapshotId, serving.summary.monitoredValue);
  }

  /** Makes the version that served before the current one active again. */
  async rollback(): Promise<ModelSummary> {
    const previous = await this.deps.store.models.previousActive();
    if (previous === undefined) throw new ConflictError('nothing to roll back to: no model was active before the current one');
    const serving = await this.activate(previous, 'rollback');
    await this.afterManualChange(serving);
    return serving.summary;
  }

  async list(limit = 50, offset = 0): Promise<ModelSummary[]> {
    return this.deps.store.models.list({ limit, offset });
  }

  async get(version: number): Promise<Model> {
    const model = await this.deps.store.models.get(version);
    if (!model) throw new NotFoundError(`no model version ${version}`);
    return model;
  }
}
