import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertCondition, AlertName, AlertState, ModelRejection, Notification } from '../core/alerts/alert.js';
import type { MonitoredMetric } from '../core/monitored-metric.js';
import type { JobKind } from '../core/schedule-policy.js';
import type { DriftCheck, LiveRecallCheck, PredictionLogDrop, SourceFreshnessCheck } from '../core/alerts/alert.js';
import { ALERT_NAMES, closeRejections, dataSourceStaleCondition, driftCondition, jobFailedCondition, liveRecallCondition, jobSucceededCondition, modelRejectedCondition, predictionLogDroppedCondition, recallCondition } from '../core/alerts/alert.js';
import type { AlertEvaluation, AlertScope } from '../core/alerts/alert-lifecycle.js';
import { evaluateAlerts, reviewFiring } from '../core/alerts/alert-lifecycle.js';
import { logLine } from '../core/alerts/alert-messages.js';
import type { Matcher, Silence, SilenceState } from '../core/alerts/silence.js';
import { matcherProblems, silencedBy, silenceMatchersFor, silenceState } from '../core/alerts/silence.js';
import { DurationError, parseDuration } from '../core/duration.js';
import type { Delivery, Notifier } from '../adapters/notifiers/notifier.js';
import type { Store } from '../store/database.js';
import type { OutboxItem } from '../store/outbox-repository.js';
import type { Clock } from './clock.js';
import { InvalidInputError, NotFoundError } from './errors.js';

/** The log is a channel like the others, always configured, so it goes through the outbox too. */
export class LogNotifier implements Notifier {
  readonly channel = 'log';
  constructor(private readonly log: Logger) {}
  async send(notification: Notification, delivery: Delivery): Promise<void> {
    const fields = { alert: notification.alert.name, fingerprint: notification.fingerprint, reason: notification.reason, idempotencyKey: delivery.idempotencyKey };
    this.log[notification.status === 'firing' ? 'warn' : 'info'](fields, logLine(notification));
  }
}

/** An alert as the API shows it: its state, the silences that mute it now, and what silencing it would match. */
export type AlertView = AlertState & { readonly silencedBy: readonly number[]; readonly silenceMatchers: readonly Matcher[] };

export type SilenceView = Silence & { readonly state: SilenceState };

export interface NewSilenceRequest {
  readonly matchers: readonly (Omit<Matcher, 'isRegex' | 'isEqual'> & { readonly isRegex?: boolean; readonly isEqual?: boolean })[];
  /** An instant (`2026-03-02T10:00:00Z`) or a duration from now (`2h`, `1d`). */
  readonly until: string;
  readonly reason: string;
  readonly createdBy: string;
}

export interface AlertTiming {
  /** `alerts.repeatInterval`: how often a firing condition is notified again. */
  readonly repeatIntervalMs: number;
  /** `alerts.eventTtl`: how long an event alert (a rejection) fires if nothing closes it before. */
  readonly eventTtlMs: number;
}

const leaseMs = 60_000;
/** Items one delivery pass sends at most; the rest wait for the next pass, a second later. */
const maxPerPass = 50;
const firstRetryMs = 10_000;
const maxRetryMs = 60 * 60_000;

export interface AlertingDeps {
  /** What the recall rules judge: the monitored metric, its threshold and the positive class. */
  readonly monitor: { readonly metric: MonitoredMetric; readonly threshold: number; readonly positive: string };
  readonly store: Store;
  readonly notifiers: readonly Notifier[];
  readonly timing: AlertTiming;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Alerts with Alertmanager's lifecycle (firing → repeated → resolved) and durable delivery: each
 * evaluation runs in one store transaction that saves the new states and queues one outbox row
 * per channel, so a condition is notified once whatever the number of replicas or restarts; the
 * outbox is then delivered with retries until each channel has taken it.
 */
export class Alerting {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private delivering: Promise<number> | null = null;

  private readonly monitor: AlertingDeps['monitor'];
  private readonly store: Store;
  private readonly notifiers: readonly Notifier[];
  private readonly timing: AlertTiming;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(deps: AlertingDeps) {
    ({ monitor: this.monitor, store: this.store, notifiers: this.notifiers, timing: this.timing, clock: this.clock, log: this.log } = deps);
  }

  get channels(): string[] {
    return this.notifiers.map((n) => n.channel);
  }

  /** Applies what the rules in `scopes` say now; queues and starts delivering the notifications. */
  evaluate(scopes: readonly AlertScope[], conditions: readonly AlertCondition[]): Promise<readonly Notification[]> {
    const names = [...new Set(scopes.map((s) => (typeof s === 'string' ? s : s.name)))];
    return this.transact(names, (states, now, silences) => evaluateAlerts(states, conditions, now, this.timing.repeatIntervalMs, scopes, silences));
  }

  /** One evaluation of the alerts `names` in one store transaction, muted by the silences active now. */
  private async transact(names: readonly string[], decide: (states: AlertState[], now: string, silences: readonly Silence[]) => AlertEvaluation): Promise<readonly Notification[]> {
    const at = this.clock.now();
    const now = at.toISOString();
    const silences = await this.store.silences.active(at);
    const { notifications } = await this.store.alerts.transact(names, (states) => decide(states, now, silences), { channels: this.channels, now });
    if (notifications.length > 0) void this.deliver();
    return notifications;
  }

  /** Rule 1: the monitored recall of the model that serves, against the threshold. */
  recall(modelVersion: number, snapshotId: number, value: number): Promise<readonly Notification[]> {
    const { metric, threshold, positive } = this.monitor;
    return this.evaluate(['recall_below_threshold'], [recallCondition({ metric, value, threshold, modelVersion, snapshotId, positiveClass: positive })]);
  }

  /**
   * Rule 2, an event: a training ended. The rejections still firing close (`passed_gate` if this
   * version passed, `superseded` if it was rejected too), and a version rejected and kept out of
   * service fires its own alert, notified once. Rejections also close when an admin promotes a
   * version (`promoted`), and at the latest `alerts.eventTtl` after they fired (`expired`).
   */
  trainingEnded(modelVersion: number, passed: boolean, rejection: ModelRejection | null): Promise<readonly Notification[]> {
    return this.transact(['model_rejected'], (states, now, silences) => {
      const conditions = [...closeRejections(states, passed ? 'passed_gate' : 'superseded', modelVersion), ...(rejection ? [modelRejectedCondition(rejection)] : [])];
      return evaluateAlerts(states, conditions, now, this.timing.repeatIntervalMs, ['model_rejected'], silences);
    });
  }

  /** A rollout ended without promotion (rejected on live cases, or out of time): an event, notified once. */
  rolloutEnded(rejection: ModelRejection): Promise<readonly Notification[]> {
    return this.evaluate(['model_rejected'], [modelRejectedCondition(rejection)]);
  }

  /** An admin put `modelVersion` into service: the rejections still firing need no more attention. */
  promoted(modelVersion: number): Promise<readonly Notification[]> {
    return this.transact(['model_rejected'], (states, now, silences) =>
      evaluateAlerts(states, closeRejections(states, 'promoted', modelVersion), now, this.timing.repeatIntervalMs, ['model_rejected'], silences),
    );
  }

  /** Rule 4: live recall on confirmed cases, judged once `monitor.minCases` positives are confirmed. */
  liveRecall(check: Omit<LiveRecallCheck, 'metric' | 'threshold' | 'positiveClass'>): Promise<readonly Notification[]> {
    const { metric, threshold, positive } = this.monitor;
    return this.evaluate(['live_recall_below_threshold'], [liveRecallCondition({ ...check, metric, threshold, positiveClass: positive })]);
  }

  /** Rule 5: the share of drifted input features above `monitor.driftShare`. */
  drift(check: DriftCheck): Promise<readonly Notification[]> {
    return this.evaluate(['data_drift'], [driftCondition(check)]);
  }

  /** Rule 6: no update has read the data source for longer than the configuration expects. */
  dataSourceStale(check: SourceFreshnessCheck): Promise<readonly Notification[]> {
    return this.evaluate(['data_source_stale'], [dataSourceStaleCondition(check)]);
  }

  /** Rule 7, an event: answered predictions whose log rows the store refused (app/prediction-log.ts). */
  predictionLogDropped(drop: PredictionLogDrop): Promise<readonly Notification[]> {
    return this.evaluate(['prediction_log_dropped'], [predictionLogDroppedCondition(drop)]);
  }

  /** Rule 3: a scheduled job failed after its retries; it resolves when that job next succeeds. */
  job(job: JobKind, outcome: { ok: true; runId: number } | { ok: false; runId: number; error: string; attempts: number }): Promise<readonly Notification[]> {
    const condition = outcome.ok ? jobSucceededCondition({ job, runId: outcome.runId }) : jobFailedCondition({ job, error: outcome.error, attempts: outcome.attempts, runId: outcome.runId });
    return this.evaluate([{ name: 'job_failed', labels: { job } }], [condition]);
  }

  /** Re-notifies firing conditions whose repeat interval has passed; closes events older than `alerts.eventTtl`. */
  repeatDue(): Promise<readonly Notification[]> {
    return this.transact(ALERT_NAMES, (states, now, silences) => reviewFiring(states, now, { ...this.timing, silences }));
  }

  /** Alerts, newest first, each firing one with the silences that mute it now. */
  async list(query: { status?: 'firing' | 'resolved'; name?: AlertName; limit: number; offset?: number }): Promise<AlertView[]> {
    const at = this.clock.now();
    const [alerts, silences] = await Promise.all([this.store.alerts.list(query), this.store.silences.active(at)]);
    const now = at.toISOString();
    // A resolved alert has nothing left to mute.
    return alerts.map((a) => ({ ...a, silencedBy: a.status === 'firing' ? silencedBy(a.labels, silences, now) : [], silenceMatchers: silenceMatchersFor(a) }));
  }

  /** Mutes the notifications of the alerts the matchers select, from now until `until`. */
  async silence(request: NewSilenceRequest): Promise<SilenceView> {
    const at = this.clock.now();
    const matchers = request.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex ?? false, isEqual: m.isEqual ?? true }));
    const problems = matcherProblems(matchers);
    if (request.reason.trim() === '') problems.push('reason: say why the alerts are silenced');
    const endsAt = untilInstant(request.until, at);
    if (endsAt === null) problems.push(`until: expected an instant (2026-03-02T10:00:00Z) or a duration from now (2h, 1d), got ${JSON.stringify(request.until)}`);
    else if (endsAt.getTime() <= at.getTime()) problems.push(`until: ${endsAt.toISOString()} is not in the future`);
    if (problems.length > 0 || endsAt === null) throw new InvalidInputError(`invalid silence: ${problems.join('; ')}`, problems);
    const silence = await this.store.silences.create({ matchers, startsAt: at, endsAt, createdBy: request.createdBy, reason: request.reason.trim(), now: at });
    return this.view(silence);
  }

  async silences(query: { state?: SilenceState; limit: number; offset?: number }): Promise<SilenceView[]> {
    const silences = await this.store.silences.list({ ...query, now: this.clock.now() });
    return silences.map((s) => this.view(s));
  }

  /** Ends a silence now: matching notifications are sent again from the next evaluation on. */
  async expireSilence(id: number): Promise<SilenceView> {
    const silence = await this.store.silences.expire(id, this.clock.now());
    if (!silence) throw new NotFoundError(`no silence ${id}`);
    return this.view(silence);
  }

  private view(silence: Silence): SilenceView {
    return { ...silence, state: silenceState(silence, this.clock.now().toISOString()) };
  }

  /**
   * Sends what is due in the outbox; concurrent calls share one pass. Returns the number delivered.
   * Never rejects: it runs in the background after every evaluation, where a rejection (the store
   * unreachable for a moment) would end the process; what is not sent stays due for the next pass.
   */
  deliver(): Promise<number> {
    this.delivering ??= this.deliverDue()
      .catch((error: unknown) => {
        this.log.error({ err: error }, `outbox delivery stopped, the next pass resumes it: ${(error as Error).message}`);
        return 0;
      })
      .finally(() => {
        this.delivering = null;
      });
    return this.delivering;
  }

  private async deliverDue(): Promise<number> {
    let delivered = 0;
    // One item per claim, leased just before it is sent. Items claimed together would all start
    // their lease at once, and behind a slow receiver the last ones' leases would run out before
    // their turn: another replica would claim and send them while this one still meant to.
    for (let n = 0; n < maxPerPass; n++) {
      const [item] = await this.store.outbox.claimDue({ now: this.clock.now(), leaseMs, owner: this.owner, limit: 1 });
      if (item === undefined) break;
      if (await this.deliverOne(item)) delivered++;
    }
    return delivered;
  }

  /** Sends one claimed item and records the outcome; true when the channel took it. */
  private async deliverOne(item: OutboxItem): Promise<boolean> {
    const context = { channel: item.channel, fingerprint: item.fingerprint, idempotencyKey: item.idempotencyKey };
    const notifier = this.notifiers.find((n) => n.channel === item.channel);
    try {
      // A channel this replica lacks may be configured on another, which takes the item on a retry.
      if (!notifier) throw new Error(`channel ${item.channel} is not configured here`);
      await notifier.send(item.payload, { idempotencyKey: item.idempotencyKey, queuedAt: item.createdAt });
    } catch (error) {
      const attempts = item.attempts + 1;
      const wait = Math.min(maxRetryMs, firstRetryMs * 2 ** (attempts - 1));
      const next = new Date(this.clock.now().getTime() + wait);
      await this.store.outbox.failed(item.id, this.owner, (error as Error).message, next);
      this.log.warn({ ...context, attempts, retryAt: next.toISOString() }, `notification not delivered, will retry: ${(error as Error).message}`);
      return false;
    }
    const again = 'it may be sent again, with the same idempotency key';
    const recorded = await this.store.outbox.delivered(item.id, this.owner, this.clock.now()).catch((error: unknown) => {
      throw new Error(`notification sent but its delivery not recorded (${again}): ${(error as Error).message}`, { cause: error });
    });
    if (recorded === undefined) this.log.warn(context, `notification sent after its lease ran out and another sender took it over: ${again}`);
    return true;
  }

  async close(): Promise<void> {
    await this.delivering?.catch(() => undefined);
    for (const n of this.notifiers) await (n as { close?: () => Promise<void> | void }).close?.();
  }
}

/** `2h` from `now`, or the instant `2026-03-02T10:00:00Z` (a time zone required); null if neither. */
function untilInstant(text: string, now: Date): Date | null {
  try {
    return new Date(now.getTime() + parseDuration(text));
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}
