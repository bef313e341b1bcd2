/**
 * What an alert says on each channel: an e-mail a clinician's data team can act on without knowing
 * the code, Alertmanager's webhook JSON (so existing receivers, e.g. a chat bridge, work
 * unchanged), and one log line. The wording reads the annotation keys the builders in alert.ts set.
 */
import type { AlertLabels, AlertState, AlertStatus, Notification } from './alert.js';

export class AlertMessageError extends Error {
  override readonly name = 'AlertMessageError';
}

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
}

export interface EmailMessageOptions {
  /** `server.publicUrl`: the dashboard, linked when set. */
  readonly publicUrl?: string;
  /** The subject's bracketed prefix, e.g. `mloop`. */
  readonly serviceName: string;
}

/** One alert of Alertmanager's webhook payload (version 4). */
export interface AlertmanagerWebhookAlert {
  readonly status: AlertStatus;
  readonly labels: AlertLabels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/** Alertmanager's webhook payload, field for field. */
export interface AlertmanagerWebhookPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: AlertStatus;
  readonly receiver: string;
  readonly groupLabels: AlertLabels;
  readonly commonLabels: AlertLabels;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly alerts: readonly AlertmanagerWebhookAlert[];
}

export interface WebhookPayloadOptions {
  /** `server.publicUrl`, or empty when unset. */
  readonly externalUrl?: string;
  readonly receiver: string;
}

/** Alertmanager's Go zero time, which it sends as `endsAt` of an alert that still fires. */
export const ALERTMANAGER_ZERO_TIME = '0001-01-01T00:00:00Z';

const MAX_ERROR_CHARS = 1000;

/** The one-line account of an alert, as used in the subject, the log and the webhook `summary`. */
export function alertSummary(alert: AlertState): string {
  const a = alert.annotations;
  switch (alert.name) {
    case 'recall_below_threshold': {
      const metric = metricPhrase(alert);
      const model = `model v${a.model_version ?? '?'}`;
      const value = Number(a.value);
      const threshold = Number(a.threshold);
      const [shownValue, shownThreshold] = shownPair(value, threshold);
      if (alert.status === 'firing') return `${metric} below threshold (${shownValue} < ${shownThreshold}), ${model}`;
      if (value >= threshold) return `${metric} back at or above threshold (${shownValue} >= ${shownThreshold}), ${model}`;
      // Resolved without a passing value: the check stopped reporting this metric (e.g. the
      // monitored metric was changed in the configuration).
      return `${metric} no longer monitored (last ${shownValue} < ${shownThreshold}), ${model}`;
    }
    case 'model_rejected':
      if (alert.status === 'firing') return `model v${a.model_version ?? '?'} rejected by the promotion gate: ${a.reason ?? 'no reason given'}`;
      if (a.resolution === 'passed_gate') return `model v${a.model_version ?? '?'} passed the promotion gate, the earlier rejection is cleared`;
      if (a.resolution === 'promoted') return `model v${a.model_version ?? '?'} promoted by an administrator, the earlier rejection is cleared`;
      return 'the model rejection is cleared';
    case 'job_failed': {
      const job = JSON.stringify(alert.labels.job ?? '?');
      if (alert.status === 'resolved') return `scheduled job ${job} succeeded again`;
      return a.attempts === undefined ? `scheduled job ${job} failed` : `scheduled job ${job} failed after ${plural(Number(a.attempts), 'attempt')}`;
    }
  }
}

export function emailMessage(notification: Notification, options: EmailMessageOptions): EmailMessage {
  const alert = notification.alert;
  const headline = `${alert.status.toUpperCase()}: ${alertSummary(alert)}`;
  const facts = [...alertFacts(alert), ...timeFacts(notification)];
  if (options.publicUrl !== undefined && options.publicUrl !== '') facts.push(['Dashboard', options.publicUrl]);
  const width = Math.max(...facts.map(([label]) => label.length)) + 2;
  const lines = [
    headline,
    '',
    ...wrap(explanation(alert)),
    '',
    ...facts.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value.split(/\r?\n/).join(`\n  ${' '.repeat(width)}`)}`),
    '',
    ...wrap(followUp(notification)),
    '',
    '-- ',
    `${options.serviceName} alert ${alert.name}, fingerprint ${alert.fingerprint}`,
    `labels: ${Object.entries(alert.labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(', ')}`,
  ];
  return { subject: `[${options.serviceName}] ${headline}`, text: `${lines.join('\n')}\n` };
}

/**
 * Alertmanager's webhook JSON for notifications sent together, grouped by `alertname` as a route
 * with `group_by: [alertname]` would, so the group key stays the same for every notice of a rule.
 */
export function alertmanagerWebhookPayload(notifications: readonly Notification[], options: WebhookPayloadOptions): AlertmanagerWebhookPayload {
  if (notifications.length === 0) throw new AlertMessageError('a webhook payload needs at least one notification');
  const externalUrl = options.externalUrl ?? '';
  const alerts = notifications.map((n): AlertmanagerWebhookAlert => {
    const alert = n.alert;
    return {
      status: alert.status,
      labels: alert.labels,
      // Receivers' templates conventionally read `summary` and `description`; the alert's own win.
      annotations: { summary: alertSummary(alert), description: explanation(alert), ...alert.annotations },
      startsAt: alert.startsAt,
      endsAt: alert.status === 'firing' || alert.endsAt === null ? ALERTMANAGER_ZERO_TIME : alert.endsAt,
      generatorURL: externalUrl,
      fingerprint: alert.fingerprint,
    };
  });
  const names = new Set(alerts.map((a) => a.labels.alertname));
  const groupLabels: AlertLabels = names.size === 1 ? { alertname: [...names][0] } : {};
  return {
    version: '4',
    groupKey: `{}:${goLabelSet(groupLabels)}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: options.receiver,
    groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: externalUrl,
    alerts,
  };
}

/** One line for the log channel, which always receives every notification. */
export function logLine(notification: Notification): string {
  const alert = notification.alert;
  const labels = Object.entries(alert.labels)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ');
  return `alert ${alert.status} (${notification.reason}): ${alertSummary(alert)} [${labels} fingerprint=${alert.fingerprint}]`;
}

function metricPhrase(alert: AlertState): string {
  const metric = alert.labels.metric ?? 'recall';
  const positive = alert.annotations.positive_class;
  return metric === 'recall' && positive !== undefined ? `recall of ${positive}` : metric;
}

function explanation(alert: AlertState): string {
  const a = alert.annotations;
  switch (alert.name) {
    case 'recall_below_threshold': {
      const cases = a.positive_class === undefined ? 'positive cases' : `${a.positive_class} cases`;
      const what =
        alert.labels.metric === 'recall_macro'
          ? `model v${a.model_version ?? '?'} detected on average ${percent(a.value)} of the actual cases of each class`
          : `model v${a.model_version ?? '?'} detected ${percent(a.value)} of the actual ${cases}`;
      const where = `On data snapshot #${a.snapshot_id ?? '?'}, ${what}; the required minimum is ${percent(a.threshold)}.`;
      if (alert.status === 'firing') return `The model in service misses more cases than allowed. ${where}`;
      if (Number(a.value) >= Number(a.threshold)) return `The model in service meets the threshold again. ${where}`;
      return `This metric is no longer monitored, so the alert is closed. Last result: ${where}`;
    }
    case 'model_rejected':
      if (alert.status === 'firing') {
        const serving = a.active_version === undefined ? 'The model in service, if any, is unchanged.' : `Model v${a.active_version} keeps serving predictions.`;
        const data = a.snapshot_id === undefined ? '' : `, trained on data snapshot #${a.snapshot_id}`;
        return `A newly trained model (v${a.model_version ?? '?'}${data}) did not pass the promotion gate and was not put into service. ${serving}`;
      }
      return `A later model is in service, so the earlier rejection no longer needs attention.`;
    case 'job_failed': {
      const job = JSON.stringify(alert.labels.job ?? '?');
      const run = a.run_id === undefined ? '' : ` (run #${a.run_id})`;
      if (alert.status === 'resolved') return `The scheduled job ${job} ran successfully again${run}.`;
      return `The scheduled job ${job} failed${run} after all its retries, so its work was not done.`;
    }
  }
}

function alertFacts(alert: AlertState): [string, string][] {
  const a = alert.annotations;
  const facts: [string, string][] = [];
  switch (alert.name) {
    case 'recall_below_threshold': {
      const [value, threshold] = shownPair(Number(a.value), Number(a.threshold));
      const meaning =
        alert.labels.metric === 'recall_macro'
          ? 'mean over the classes of the share of actual cases detected'
          : `share of actual ${a.positive_class ?? 'positive'} cases the model detects`;
      facts.push(['Metric', `${alert.labels.metric ?? 'recall'} (${meaning})`], ['Value', `${value} (${percent(a.value)})`], ['Threshold', `${threshold} (${percent(a.threshold)})`]);
      facts.push(['Model version', `v${a.model_version ?? '?'}`], ['Data snapshot', `#${a.snapshot_id ?? '?'}`]);
      break;
    }
    case 'model_rejected':
      facts.push(['Model version', `v${a.model_version ?? '?'}`]);
      if (a.snapshot_id !== undefined) facts.push(['Data snapshot', `#${a.snapshot_id}`]);
      if (a.active_version !== undefined) facts.push(['Serving model', `v${a.active_version}`]);
      if (alert.status === 'firing') facts.push(['Reason', a.reason ?? 'no reason given']);
      break;
    case 'job_failed':
      facts.push(['Job', alert.labels.job ?? '?']);
      if (a.run_id !== undefined) facts.push(['Run', `#${a.run_id}`]);
      if (alert.status === 'firing' && a.attempts !== undefined) facts.push(['Attempts', a.attempts]);
      // Not wrapped with the prose: an error often holds a URL or path the reader will copy.
      if (alert.status === 'firing') facts.push(['Last error', truncate(a.error ?? 'unknown')]);
      break;
  }
  return facts;
}

function timeFacts(notification: Notification): [string, string][] {
  const alert = notification.alert;
  if (notification.reason === 'new') return [['Started', readableTime(alert.startsAt)]];
  if (notification.reason === 'repeat') return [['Firing since', readableTime(alert.startsAt)], ['Reminder sent', readableTime(alert.lastNotifiedAt ?? alert.startsAt)]];
  return [['Started', readableTime(alert.startsAt)], ['Resolved', readableTime(alert.endsAt ?? alert.startsAt)]];
}

function followUp(notification: Notification): string {
  if (notification.reason === 'resolved') return 'No action is needed for this alert any more.';
  const repeat = notification.reason === 'repeat' ? 'This alert is still firing. ' : '';
  return `${repeat}You will be reminded while it lasts and told when it is resolved.`;
}

/** `2024-05-01T12:00:00.000Z` → `2024-05-01 12:00:00 UTC`; any other text is shown as it is. */
function readableTime(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match === null ? iso : `${match[1]} ${match[2]} UTC`;
}

/**
 * Value and threshold with three decimals, or more when three would show them equal: `0.900 <
 * 0.9` would read as a contradiction to the person deciding whether to act.
 */
function shownPair(value: number, threshold: number): readonly [string, string] {
  if (!Number.isFinite(value) || !Number.isFinite(threshold)) return [String(value), String(threshold)];
  for (let digits = 3; digits <= 17; digits++) {
    const pair = [trimZeros(value.toFixed(digits)), trimZeros(threshold.toFixed(digits))] as const;
    if (pair[0] !== pair[1] || value === threshold) return pair;
  }
  return [String(value), String(threshold)];
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function percent(text: string | undefined): string {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value)) return 'an unknown share';
  return `${trimZeros((value * 100).toFixed(1))}%`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS)}…`;
}

/** Plain text wrapped at 78 columns, the width mail clients show without reflowing. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > 78) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The label/annotation pairs every map shares, as Alertmanager computes commonLabels. */
function common(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = maps;
  return Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((m) => m[key] === value)));
}

/** A label set as Go's `model.LabelSet.String()` prints it: sorted, quoted, `{a="1", b="2"}`. */
function goLabelSet(labels: AlertLabels): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `{${pairs.join(', ')}}`;
}
