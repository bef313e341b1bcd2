import { badge, fmt, h, listTable as table, timeEl } from './dom.js';
import { servingKind, verdictKind } from './model-views.js';


/**
 * Model versions, newest first: whether each serves and the gate's verdict, side by side, and a
 * promote button on the others (the server says whether promoting one needs force).
 */
export function modelsTable(models, activeVersion, { onPromote, busy }) {
  const rows = models.map((m) => {
    const { label, value, threshold, passed } = m.verdict;
    return h(
      'tr',
      { dataset: { version: m.version, status: m.status, serving: m.servingStatus, verdict: m.gateVerdict }, class: m.version === activeVersion ? 'row-active' : null },
      h('td', null, h('strong', null, `v${m.version}`)),
      h('td', { class: 'serving' }, badge(m.servingStatus, servingKind[m.servingStatus] ?? 'muted')),
      h('td', { class: 'verdict' }, badge(m.gateVerdict, verdictKind[m.gateVerdict] ?? 'muted')),
      h('td', null, m.mode),
      h('td', { class: passed ? 'good' : 'bad', title: `${label} ${value} (threshold ${threshold})` }, fmt.score(value)),
      h('td', null, timeEl(m.createdAt)),
      h('td', { class: 'reason' }, m.gateReason ?? (passed ? 'passed' : '–')),
      h(
        'td',
        null,
        m.version === activeVersion
          ? h('span', { class: 'muted small' }, 'serving')
          : h('button', { type: 'button', class: 'small-button promote', disabled: busy, title: `POST /api/v1/models/${m.version}/promote`, onclick: () => onPromote(m.version) }, 'Promote'),
      ),
    );
  });
  return table('models-table', ['Version', 'Serving', 'Gate', 'Mode', 'Recall', 'Created', 'Gate verdict', ''], rows, 'No model trained yet: press Train.');
}

const auditWords = {
  gate_activation: 'passed the gate',
  promotion: 'promoted',
  forced_promotion: 'forced promotion',
  rollback: 'rolled back',
  forced_rollback: 'forced rollback',
  threshold_change: 'new threshold',
};

/** The registry's audit log, newest first; a forced change stands out. */
export function auditTable(entries) {
  const version = (v) => (v === null ? '–' : `v${v}`);
  const rows = entries.map((e) =>
    h(
      'tr',
      { dataset: { audit: e.id, action: e.action }, class: e.action.startsWith('forced_') ? 'audit-forced' : null },
      h('td', null, timeEl(e.at)),
      h('td', null, h('strong', null, auditWords[e.action] ?? e.action)),
      h('td', null, `${version(e.fromVersion)} → ${version(e.toVersion)}`),
      h('td', null, e.actor),
      h('td', { class: 'reason' }, e.reason ?? '–'),
    ),
  );
  return table('audit-table', ['When', 'Change', 'Serving', 'Who', 'Reason'], rows, 'No change yet: the first model that passes the gate is the first entry.');
}

function runResult(run) {
  if (run.status === 'failed') return h('span', { class: 'bad' }, run.error ?? 'failed');
  if (run.status === 'cancelled') return h('span', { class: 'muted' }, run.error ?? 'cancelled');
  const r = run.result;
  if (!r) return '–';
  if (run.kind === 'train' && r.version !== undefined) return [h('strong', null, `v${r.version}`), ` ${r.status}`, r.value === undefined ? '' : ` · ${fmt.score(r.value)}`];
  if (run.kind === 'update' && r.snapshotId !== undefined) return `snapshot #${r.snapshotId} ${r.status ?? ''}`;
  if (run.kind === 'check' && r.value !== undefined) return [h('span', { class: r.passed ? 'good' : 'bad' }, `v${r.modelVersion}: ${fmt.score(r.value)} ${r.passed ? '✓' : '✗'}`), checkMonitoring(r)];
  return '–';
}

/** What a check found in production besides the test split: live recall and input drift. */
function checkMonitoring(r) {
  const parts = [];
  if (r.live?.judged && typeof r.live.value === 'number') {
    // Runs recorded before checks said `passed` for live values keep a neutral colour.
    parts.push(' · ', h('span', { class: r.live.passed === undefined ? null : r.live.passed ? 'good' : 'bad', title: `on ${r.live.confirmed} confirmed cases, ${r.live.window}` }, `live ${fmt.score(r.live.value)}`));
  }
  if (r.drift?.judged) {
    parts.push(' · ', h('span', { class: r.drift.datasetDrift ? 'bad' : null, title: `${r.drift.nRecent} recent inputs, ${r.drift.window}` }, `${r.drift.driftedCount} feature${r.drift.driftedCount === 1 ? '' : 's'} drifted`));
  }
  return parts;
}

function progress(run) {
  if (run.progressTotal) {
    return h('span', { class: 'progress' }, h('progress', { max: run.progressTotal, value: run.progressDone ?? 0 }), h('span', { class: 'progress-text' }, `${run.progressDone ?? 0}/${run.progressTotal}`));
  }
  // Trainings without a grid report no steps: show that they are busy, not how far.
  if (run.status === 'running') return h('progress', { 'aria-label': 'running' });
  return '–';
}

const runKind = { queued: 'muted', running: 'info', succeeded: 'ok', failed: 'bad', cancelled: 'muted' };

export function runsTable(runs) {
  const rows = runs.map((r) => {
    const shown = progress(r);
    return h(
      'tr',
      { dataset: { run: r.id, status: r.status } },
      h('td', null, `#${r.id}`),
      h('td', null, r.kind === 'train' && r.params?.mode ? `train ${r.params.mode}` : r.kind),
      h('td', null, r.trigger),
      h('td', null, badge(r.status, runKind[r.status] ?? 'muted')),
      h('td', { class: shown === '–' ? 'progress-cell none' : 'progress-cell' }, shown),
      h('td', null, timeEl(r.startedAt ?? r.queuedAt)),
      h('td', null, fmt.duration(r.startedAt, r.finishedAt)),
      h('td', { class: 'reason' }, runResult(r)),
    );
  });
  return table('runs-table', ['Run', 'Kind', 'By', 'Status', 'Progress', 'Started', 'Took', 'Result'], rows, 'No runs yet.');
}

const alertWords = {
  recall_below_threshold: 'Recall below threshold',
  model_rejected: 'Model rejected',
  job_failed: 'Job failed',
  live_recall_below_threshold: 'Live recall below threshold',
  data_drift: 'Input data drift',
  data_source_stale: 'Data source stale',
  prediction_log_dropped: 'Prediction log rows dropped',
};

/** "recall of Malign" (or "macro recall"), as the live alert's annotations name it. */
function liveMetric(a, nameOf) {
  if (a.labels.metric === 'recall_macro') return 'macro recall';
  const positive = a.annotations.positive_class_name ?? (a.annotations.positive_class ? nameOf(a.annotations.positive_class) : null);
  return positive ? `recall of ${positive}` : 'recall';
}

/** The first three drifted features; all of them in the tooltip. */
function featureNames(list) {
  if (!list) return null;
  const names = list.split(', ');
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')}, …` : list;
  return h('span', { title: list }, `: ${shown}`);
}

function share(v) {
  return fmt.percent(Number(v));
}

function alertText(a, nameOf) {
  const n = a.annotations;
  switch (a.name) {
    case 'recall_below_threshold':
      return a.status === 'firing' ? `${fmt.score(Number(n.value))} < ${n.threshold} (v${n.model_version}, snapshot #${n.snapshot_id})` : `back to ${fmt.score(Number(n.value))} (v${n.model_version})`;
    case 'model_rejected': {
      if (a.status === 'firing') return `v${n.model_version}: ${n.reason ?? 'no reason given'}`;
      const by = `v${n.resolved_by_version ?? n.model_version}`;
      if (n.resolution === 'superseded') return `closed: the next training (${by}) was rejected too`;
      if (n.resolution === 'expired') return `closed: v${n.model_version}'s rejection is older than alerts.eventTtl`;
      return `cleared: ${by} ${n.resolution === 'promoted' ? 'promoted by hand' : 'passed the gate'}`;
    }
    case 'job_failed':
      return a.status === 'firing' ? `${a.labels.job} failed (${n.attempts} attempts): ${n.error}` : `${a.labels.job} succeeded again`;
    case 'live_recall_below_threshold': {
      const positive = n.positive_class_name ?? (n.positive_class ? nameOf(n.positive_class) : 'positive');
      const cases = `${n.confirmed_positives} confirmed ${positive} cases, ${n.window}`;
      if (a.status === 'firing') return `live ${liveMetric(a, nameOf)} ${fmt.score(Number(n.value))} < ${n.threshold} (v${n.model_version}, ${cases})`;
      if (n.resolution === 'too_few_cases') return `closed: too few confirmed cases to judge (${n.confirmed_positives} of ${n.min_cases}, v${n.model_version})`;
      return `back to ${fmt.score(Number(n.value))} (v${n.model_version}, ${cases})`;
    }
    case 'data_drift': {
      const counted = `${n.drifted_count} of ${n.n_features} features (${share(n.drifted_share)})`;
      if (a.status === 'firing') return [`${counted} drifted, above ${share(n.drift_share)} (v${n.model_version}, ${n.n_recent} inputs, ${n.window})`, featureNames(n.drifted_features)];
      if (Number(n.drifted_share) > Number(n.drift_share)) return `closed: drift no longer monitored (last ${counted} drifted)`;
      return `${counted} drifted, within ${share(n.drift_share)} again (v${n.model_version})`;
    }
    case 'data_source_stale': {
      const last = n.last_success_at ? `last success ${fmt.time(n.last_success_at)}` : 'no success yet';
      if (a.status === 'firing') return `${last}${n.last_error ? `: ${n.last_error}` : ''}`;
      return n.expected ? `updated again (${last})` : `closed: freshness no longer monitored (${last})`;
    }
    case 'prediction_log_dropped': {
      const counted = `${n.dropped} answered predictions not logged (${n.total_dropped} in all on ${n.process})`;
      return a.status === 'firing' ? `${counted}: ${n.error}` : `closed: ${counted}`;
    }
    default:
      return Object.entries(n)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
  }
}

/**
 * `nameOf(label)`: a class's display name. A firing alert has a button to silence it (with the
 * matchers the server says silence it); one that a silence mutes says which.
 */
export function alertsTable(alerts, nameOf, { onSilence, busy }) {
  const rows = alerts.map((a) =>
    h(
      'tr',
      { dataset: { alert: a.name, status: a.status, fingerprint: a.fingerprint, silenced: a.silencedBy.length > 0 ? 'true' : 'false' } },
      h('td', null, badge(a.status, a.status === 'firing' ? 'bad' : 'muted')),
      h(
        'td',
        { class: 'reason' },
        h('strong', null, alertWords[a.name] ?? a.name),
        h('div', { class: 'small' }, alertText(a, nameOf)),
        a.silencedBy.length > 0 ? h('div', { class: 'silenced' }, `notifications muted by silence ${a.silencedBy.map((id) => `#${id}`).join(', ')}`) : null,
      ),
      h(
        'td',
        null,
        timeEl(a.startsAt),
        a.endsAt ? [' – ', timeEl(a.endsAt)] : null,
        a.status === 'firing' && a.silencedBy.length === 0
          ? h('div', null, h('button', { type: 'button', class: 'small-button silence', disabled: busy, title: 'POST /api/v1/silences: mute its notifications for a while', onclick: () => onSilence(a) }, 'Silence…'))
          : null,
      ),
    ),
  );
  return table('alerts-table', ['State', 'Alert', 'Since'], rows, 'No alerts: all quiet.');
}

/** `alertname="data_drift", job!~"up.*"`, as Alertmanager writes matchers. */
export function matchersText(matchers) {
  const operator = (m) => (m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=');
  return matchers.map((m) => `${m.name}${operator(m)}${JSON.stringify(m.value)}`).join(', ');
}

/** The silences in force, each with a button to end it now. */
export function silencesTable(silences, { onExpire, busy }) {
  if (silences.length === 0) return null;
  const rows = silences.map((s) =>
    h(
      'tr',
      { dataset: { silence: s.id, state: s.state } },
      h('td', null, h('strong', null, `#${s.id}`)),
      h('td', { class: 'matchers' }, matchersText(s.matchers), h('div', { class: 'small muted' }, s.reason)),
      h('td', null, 'until ', timeEl(s.endsAt)),
      h('td', null, h('button', { type: 'button', class: 'small-button expire', disabled: busy, title: `DELETE /api/v1/silences/${s.id}`, onclick: () => onExpire(s) }, 'Expire')),
    ),
  );
  return [h('h3', { class: 'silences-title' }, 'Silences in force'), table('silences-table', ['Silence', 'Matches', 'Ends', ''], rows, '')];
}

export function snapshotsTable(snapshots, activeSnapshotId) {
  const rows = snapshots.map((s) =>
    h(
      'tr',
      { dataset: { snapshot: s.id } },
      h('td', null, h('strong', null, `#${s.id}`), s.id === activeSnapshotId ? h('div', { class: 'muted small' }, 'active model') : null),
      h('td', null, timeEl(s.createdAt)),
      h(
        'td',
        null,
        String(s.rowCount),
        h(
          'div',
          { class: 'muted small' },
          Object.entries(s.classCounts)
            .map(([label, n]) => `${n} ${label}`)
            .join(' · '),
        ),
      ),
      h('td', { class: 'source', title: `${s.source}\nsha256 ${s.contentHash}` }, s.source.split('/').pop(), h('div', { class: 'muted small mono' }, s.contentHash.slice(0, 12))),
    ),
  );
  return table('snapshots-table', ['Snapshot', 'Taken', 'Rows', 'Source'], rows, 'No data snapshot yet: press Update data.');
}
