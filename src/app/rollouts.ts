import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { metricName } from '../core/monitored-metric.js';
import type { RolloutScore, RolloutVerdict } from '../core/rollout-rule.js';
import { rolloutVerdict, scoreRollout } from '../core/rollout-rule.js';
import type { AuditActor } from '../store/audit-repository.js';
import type { Store } from '../store/database.js';
import type { Rollout, RolloutAnswer, RolloutEnd, RolloutMode } from '../store/rollout-repository.js';
import type { Alerting } from './alerting.js';
import type { Clock } from './clock.js';
import { ConflictError, InvalidInputError } from './errors.js';
import type { ModelRegistry } from './model-registry.js';
import type { PredictionLog } from './prediction-log.js';
import { RolloutAnswerLog } from './rollout-answer-log.js';
import type { ServingModel } from './serving-model.js';
import { toServingModel } from './serving-model.js';

/** The rollout under way as this process serves it: the challenger ready to predict. */
export interface LiveRollout {
  readonly id: number;
  readonly strategy: RolloutMode;
  readonly canaryPercent: number;
  readonly championVersion: number;
  readonly challenger: ServingModel;
}

/** A rollout with its figures on the shared cases and what the rule says of them. */
export interface RolloutStatus {
  readonly rollout: Rollout;
  /** When it ends without promotion if the cases are not there by then (`rollout.maxDuration`). */
  readonly endsBy: string;
  /** The monitored metric in words (`recall of M`). */
  readonly metric: string;
  readonly score: RolloutScore;
  /** The rule's verdict on the figures so far (for an ended rollout: on its figures now). */
  readonly verdict: RolloutVerdict;
}

export interface RolloutsDeps {
  readonly config: Config;
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly predictionLog: PredictionLog;
  readonly alerting: Alerting;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Shadow and canary rollouts (`rollout.*`). The store holds the one rollout under way, so every
 * replica serves the same champion and challenger (each loads it on its one-second sync) and a
 * decision ends it once, in the transaction that puts the challenger into service or retires it.
 */
export class Rollouts {
  private live: LiveRollout | null = null;
  readonly answers: RolloutAnswerLog;
  private readonly maxDurationMs: number;

  constructor(private readonly deps: RolloutsDeps) {
    this.answers = new RolloutAnswerLog(deps.store, deps.log);
    this.maxDurationMs = parseDuration(deps.config.rollout.maxDuration);
  }

  /** The rollout this process serves, or null: the prediction path reads only this when none runs. */
  get current(): LiveRollout | null {
    return this.live;
  }

  /** Loads the rollout under way if it changed (another process may have started or ended one). */
  async sync(): Promise<LiveRollout | null> {
    const open = await this.deps.store.rollouts.open();
    if (!open) {
      this.live = null;
      return null;
    }
    if (open.id === this.live?.id) return this.live;
    const model = await this.deps.registry.get(open.challengerVersion);
    this.live = { id: open.id, strategy: open.strategy, canaryPercent: open.canaryPercent, championVersion: open.championVersion, challenger: toServingModel(model) };
    this.deps.log.info({ rollout: open.id, strategy: open.strategy, champion: open.championVersion, challenger: open.challengerVersion }, `rollout ${open.id}: v${open.challengerVersion} challenges v${open.championVersion}`);
    return this.live;
  }

  /**
   * Starts a rollout of `challenger` against `champion` (which must still serve), replacing the
   * one under way if any: a candidate that passed the gate under `rollout.strategy` shadow or canary.
   */
  async start(challenger: number, champion: number, reason: string | null, runId: number | null): Promise<Rollout> {
    const { config, store, clock, log } = this.deps;
    const strategy = config.rollout.strategy;
    if (strategy === 'immediate') throw new Error('rollout.strategy is immediate: a model that passes the gate serves at once');
    const { rollout, replaced } = await store.rollouts.start({ strategy, canaryPercent: config.rollout.canaryPercent, championVersion: champion, challengerVersion: challenger, now: clock.now(), actor: 'gate', reason, runId });
    if (replaced) log.info({ rollout: replaced.id, challenger: replaced.challengerVersion }, `rollout ${replaced.id} ended: ${replaced.reason}`);
    await this.sync();
    return rollout;
  }

  /** The rollout under way, else the last one, with its figures; null if there never was one. */
  async status(): Promise<RolloutStatus | null> {
    const { store } = this.deps;
    const rollout = (await store.rollouts.open()) ?? (await store.rollouts.list({ limit: 1 }))[0];
    if (!rollout) return null;
    await this.flush();
    return this.judge(rollout);
  }

  private async judge(rollout: Rollout): Promise<RolloutStatus> {
    const { config, store, clock } = this.deps;
    const { metric, threshold, maxRegression } = config.monitor;
    const { positive } = config.dataset;
    const counts = await store.rollouts.sharedCounts(rollout);
    const classes = (await this.classes(rollout)) ?? [...new Set(counts.flatMap((c) => [c.actual, c.championLabel, c.challengerLabel]))].sort();
    const score = scoreRollout(counts, classes, positive, metric, { champion: rollout.championVersion, challenger: rollout.challengerVersion });
    const started = Date.parse(rollout.startedAt);
    const rules = { metric, positive, threshold, maxRegression, minCases: config.rollout.minCases, maxDurationMs: this.maxDurationMs, maxDuration: config.rollout.maxDuration };
    const verdict = rolloutVerdict(score, rules, clock.now().getTime() - started);
    return { rollout, endsBy: new Date(started + this.maxDurationMs).toISOString(), metric: metricName(metric, positive), score, verdict };
  }

  /** The challenger's classes (the order of the confusion matrices). */
  private async classes(rollout: Rollout): Promise<readonly string[] | null> {
    if (this.live?.id === rollout.id) return this.live.challenger.artifact.svc.classes;
    const model = await this.deps.store.models.get(rollout.challengerVersion);
    const classes = (model?.metrics as { labels?: readonly string[] } | undefined)?.labels;
    return Array.isArray(classes) ? classes : null;
  }

  /**
   * Applies the rule to the rollout under way: promotes or retires the challenger once enough
   * positives are shared, ends it when `rollout.maxDuration` has passed, or ends it when its
   * champion no longer serves (an admin changed what serves). Called after feedback and by the
   * check job; only one process's decision ends a rollout. Returns the ended rollout, if any.
   */
  async decide(): Promise<Rollout | null> {
    const { store, registry, alerting, log } = this.deps;
    const open = await store.rollouts.open();
    if (!open) return this.settle(null);
    const active = await store.models.activeVersion();
    if (active !== open.championVersion) {
      const reason = `champion v${open.championVersion} no longer serves (v${active ?? 'none'} does): the rollout of v${open.challengerVersion} ends`;
      return this.settle((await store.rollouts.end(open.id, this.ending('aborted', reason, 'gate', null))) ?? null);
    }
    await this.flush();
    const status = await this.judge(open);
    const { decision, reason } = status.verdict;
    if (decision === 'collecting') return this.settle(null);
    const figures = { ...status.score, verdict: status.verdict };
    const ended =
      decision === 'promote'
        ? await store.rollouts.end(open.id, { ...this.ending('promoted', reason, 'gate', figures), action: 'rollout_promotion', activation: 'gate' })
        : await store.rollouts.end(open.id, { ...this.ending(decision === 'reject' ? 'rejected' : 'expired', reason, 'gate', figures), action: decision === 'reject' ? 'rollout_rejection' : 'rollout_expiry' });
    if (!ended) return this.settle(null);
    log.info({ rollout: open.id, decision, challenger: open.challengerVersion, champion: open.championVersion }, `rollout ${open.id}: ${reason}`);
    await this.settle(ended);
    if (decision === 'promote') {
      const serving = registry.serving;
      await alerting.promoted(open.challengerVersion);
      if (serving) await alerting.recall(serving.version, serving.summary.snapshotId, serving.summary.monitoredValue);
    } else {
      // A rejection on live cases, or a rollout that ran out of time: notified once, as the gate's rejections are.
      await alerting.rolloutEnded({ modelVersion: open.challengerVersion, reason, activeVersion: open.championVersion, rolloutId: open.id });
    }
    return ended;
  }

  /** An admin puts the challenger into service now, whatever the figures say; the reason goes to the audit log. */
  async promote(request: { readonly actor: AuditActor; readonly reason?: string | null }): Promise<Rollout> {
    const reason = request.reason?.trim();
    if (!reason) throw new InvalidInputError('promoting a challenger before the rollout decides needs a reason (it goes to the audit log)', { field: 'reason' });
    const open = await this.requireOpen();
    await this.flush();
    const figures = (await this.judge(open)).score;
    const ended = await this.deps.store.rollouts.end(open.id, { ...this.ending('forced', reason, request.actor, figures), action: 'forced_rollout_promotion', activation: 'promote' });
    if (!ended) throw new ConflictError(`rollout ${open.id} ended meanwhile`);
    await this.settle(ended);
    await this.deps.alerting.promoted(open.challengerVersion);
    return ended;
  }

  /** An admin ends the rollout under way: the challenger is retired, the champion keeps serving. */
  async abort(request: { readonly actor: AuditActor; readonly reason?: string | null }): Promise<Rollout> {
    const open = await this.requireOpen();
    const reason = request.reason?.trim() || `aborted by ${request.actor}`;
    const ended = await this.deps.store.rollouts.end(open.id, this.ending('aborted', reason, request.actor, null));
    if (!ended) throw new ConflictError(`rollout ${open.id} ended meanwhile`);
    await this.settle(ended);
    return ended;
  }

  private async requireOpen(): Promise<Rollout> {
    const open = await this.deps.store.rollouts.open();
    if (!open) throw new ConflictError('no rollout is under way', { rollout: null });
    return open;
  }

  private ending(outcome: RolloutEnd['outcome'], reason: string, actor: AuditActor, score: unknown): RolloutEnd {
    return { outcome, reason, actor, score, now: this.deps.clock.now(), action: 'rollout_abort' };
  }

  /** After a change to the rollouts: this process serves what the store says. */
  private async settle(ended: Rollout | null): Promise<Rollout | null> {
    await this.deps.registry.sync();
    await this.sync();
    return ended;
  }

  /** Writes what both logs buffer: the scores read both. */
  async flush(): Promise<void> {
    await this.deps.predictionLog.flush();
    await this.answers.flush();
  }

  /** Keeps the other model's answers (off the response path). */
  record(answers: readonly RolloutAnswer[]): void {
    this.answers.record(answers);
  }
}
