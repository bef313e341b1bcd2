/* global document, setTimeout, clearTimeout, console */
import { ApiError, call, Cancelled, forgetToken, getJson, hasToken } from './api.js';
import { byId, classNamer, fill, fmt, h, renderIfChanged } from './dom.js';
import { driftView } from './drift-report.js';
import { gridHeatmap } from './grid-heatmap.js';
import { liveView } from './live-performance.js';
import { classificationReport, confusionMatrix, modelCard } from './model-views.js';
import { curvesView } from './decision-curves.js';
import { createPredictionForm } from './prediction-form.js';
import { createRecallChart } from './recall-chart.js';
import { createThresholdEditor } from './threshold-editor.js';
import { askReason } from './reason-dialog.js';
import { rolloutView } from './rollout-panel.js';
import { alertsTable, auditTable, matchersText, modelsTable, runsTable, silencesTable, snapshotsTable } from './tables.js';

/** Every 2 s, every second while a run is under way so its progress moves. */
const IDLE_MS = 2000;
const BUSY_MS = 1000;
/** The heavier documents are read again when something changed, and at least this often. */
const FULL_EVERY_MS = 30_000;
/**
 * Live performance changes with every prediction and confirmed diagnosis, which the small
 * documents do not show: it is read this often. Its counts tell when new inputs arrived; only then
 * is the drift report (the newest the server computed: it recomputes at most every
 * monitor.driftMinInterval) read again, at most every DRIFT_MIN_MS, and otherwise every
 * DRIFT_MAX_MS as old inputs leave its window.
 */
const LIVE_EVERY_MS = 5000;
const DRIFT_MIN_MS = 15_000;
const DRIFT_MAX_MS = 300_000;

const state = {
  runs: [],
  alerts: [],
  models: [],
  activeVersion: null,
  /** The active version (GET /api/v1/models/{v}, with its feature schema), read once per version. */
  active: null,
  performance: null,
  history: [],
  snapshots: [],
  /** The registry's audit log (newest first) and the silences in force. */
  audit: [],
  /** GET /api/v1/rollout: the rollout under way, else the last one. */
  rollout: null,
  silences: [],
  /** GET /api/v1/performance/live and GET /api/v1/drift (null with no active model). */
  live: null,
  drift: null,
  /** Registry entries of versions that have live cases but are older than the models list. */
  olderModels: new Map(),
  showAllFeatures: false,
  /** Lists shown whole rather than their newest rows ("Show all"), by list. */
  showAll: { models: false, runs: false },
  /** Whether the reader opened the model card's list of input features. */
  featuresOpen: false,
  acting: false,
};

const chart = createRecallChart(byId('recall-chart'));

const thresholdEditor = createThresholdEditor(byId('threshold-editor'), { curves: byId('curves'), onSaved: () => void refreshNow({ full: true }) });
const predictionForm = createPredictionForm(byId('predict'), {
  predict: async (row) => {
    const answer = await call('api/v1/predict', { body: { row }, scope: 'predict' });
    void refreshNow({ monitoring: true });
    return answer;
  },
  confirm: async (predictionId, actual) => {
    const { results } = await call('api/v1/feedback', { body: { predictionId, actual }, scope: 'feedback' });
    void refreshNow({ monitoring: true });
    return results[0];
  },
});

/** The subtitle names the classifier as the configuration does (dataset.title); the form shows the features' units. Read once. */
getJson('api/v1/about').then(
  (about) => {
    byId('subtitle').textContent = `${about.title} · model health`;
    predictionForm.setUnits(about.units);
  },
  () => undefined, // The page works without it; the polling reports a server it cannot reach.
);

const working = () => state.runs.some((r) => r.status === 'queued' || r.status === 'running');
const trainingUnderWay = () => state.runs.some((r) => r.kind === 'train' && (r.status === 'queued' || r.status === 'running'));

/*
 * Polling. Each tick reads the small documents (latest runs, alerts, the active version and newest
 * model); the models, history, snapshots and performance only when those show a change (a run
 * moved on, a version was promoted, an alert fired or resolved) or every 30 s.
 */
let signature = '';
let lastFull = 0;
let timer = null;
let inFlight = null;
let again = false;
let forceFull = false;
let forceMonitoring = false;
let lastLive = 0;
let lastDrift = 0;
/** Inputs in the live window and the active version when the drift report was read. */
let driftInputs = null;
let driftVersion = null;

/** The active version with its feature names (the summary: its fitted pipeline is patient data). */
/** The newest rows a list shows, and how many when the reader asked for all (the API's largest page). */
const listRows = { models: 10, runs: 8 };
const ALL_ROWS = 1000;
const listLimit = (list) => (state.showAll[list] ? ALL_ROWS : listRows[list]);

/** "Show all N…" under a list that shows its newest rows only, and back. */
function listToggle(list, shown, noun) {
  if (!state.showAll[list] && shown < listRows[list]) return null;
  const all = state.showAll[list];
  return h(
    'p',
    { class: 'list-toggle' },
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        id: `${list}-show-all`,
        onclick: () => {
          state.showAll[list] = !all;
          void refreshNow({ full: true });
        },
      },
      all ? `Show the newest ${listRows[list]} only` : `Show all ${noun}`,
    ),
    all ? ` · ${shown} shown` : ` · the newest ${shown} shown`,
  );
}

async function readActive(version) {
  if (version === null) return null;
  if (state.active?.version === version) return state.active;
  return getJson(`api/v1/models/${version}`);
}

/**
 * Whether the drift report comes with its histograms: null until the server says, false once it
 * refused them to this tab's tokens (asked again after an action or a forget, which change them).
 */
let histograms = null;

async function refresh() {
  const [runs, alerts, head] = await Promise.all([getJson(`api/v1/runs?limit=${listLimit('runs')}`), getJson('api/v1/alerts?limit=10'), getJson('api/v1/models?limit=1')]);
  state.runs = runs.runs;
  state.alerts = alerts.alerts;
  const newest = head.models[0];
  const sig = JSON.stringify([head.activeVersion, newest?.version, newest?.status, runs.runs.map((r) => [r.id, r.status]), alerts.alerts.map((a) => [a.fingerprint, a.status, a.startsAt, a.silencedBy])]);
  if (forceFull || sig !== signature || Date.now() - lastFull > FULL_EVERY_MS) {
    // A run that ended or an alert that moved (a check judged drift, say): the monitoring card
    // is read again with it, so that it never contradicts the alert next to it.
    if (sig !== signature) forceMonitoring = true;
    forceFull = false;
    const [models, history, snapshots, audit, silences, rollout] = await Promise.all([
      getJson(`api/v1/models?limit=${listLimit('models')}`),
      getJson('api/v1/performance/history?limit=200'),
      getJson('api/v1/data/snapshots?limit=8'),
      getJson('api/v1/models/audit?limit=10'),
      getJson('api/v1/silences?state=active'),
      getJson('api/v1/rollout'),
    ]);
    const activeVersion = models.activeVersion;
    const [performance, active] = await Promise.all([activeVersion === null ? null : getJson('api/v1/performance'), readActive(activeVersion)]);
    Object.assign(state, { models: models.models, activeVersion, history: history.checks, snapshots: snapshots.snapshots, audit: audit.entries, silences: silences.silences, rollout, performance, active });
    signature = sig;
    lastFull = Date.now();
  }
  await refreshMonitoring();
  render();
}

async function readDrift() {
  try {
    if (histograms !== false) {
      try {
        const drift = await getJson('api/v1/drift?include=histograms', { scope: 'read' });
        histograms = true;
        return drift;
      } catch (error) {
        if (!(error instanceof ApiError && (error.status === 401 || error.status === 403))) throw error;
        histograms = false;
      }
    }
    return await getJson('api/v1/drift');
  } catch (error) {
    // 409: the active version went away between two reads; the next full refresh shows it.
    if (error instanceof ApiError && error.status === 409) return null;
    throw error;
  }
}

/** Live performance every LIVE_EVERY_MS; drift when new inputs arrived (see DRIFT_MIN_MS). */
async function refreshMonitoring() {
  const now = Date.now();
  const forced = forceMonitoring;
  forceMonitoring = false;
  if (forced || state.live === null || now - lastLive >= LIVE_EVERY_MS) {
    state.live = await getJson('api/v1/performance/live');
    lastLive = now;
  }
  const inputs = state.live.confirmed + state.live.pending;
  if (state.activeVersion === null) {
    state.drift = null;
    driftVersion = null;
  } else if (forced || driftVersion !== state.activeVersion || now - lastDrift >= DRIFT_MAX_MS || (inputs !== driftInputs && now - lastDrift >= DRIFT_MIN_MS)) {
    state.drift = await readDrift();
    lastDrift = now;
    driftInputs = inputs;
    driftVersion = state.activeVersion;
  }
  // Versions with live cases older than the ten newest: their test-split values, read once.
  const known = new Set(state.models.map((m) => m.version));
  for (const v of state.live.versions) {
    if (known.has(v.modelVersion) || state.olderModels.has(v.modelVersion)) continue;
    state.olderModels.set(v.modelVersion, await getJson(`api/v1/models/${v.modelVersion}`));
  }
}

function setConnection(error) {
  const banner = byId('offline');
  banner.hidden = error === null;
  if (error === null) {
    byId('updated').textContent = `updated ${fmt.time(new Date().toISOString())}`;
    return;
  }
  if (error instanceof ApiError) banner.textContent = `The server answered ${error.status}: ${error.message}. Retrying…`;
  else if (error instanceof TypeError && /fetch/i.test(error.message)) banner.textContent = 'Cannot reach the mloop server: showing the last data received, retrying…';
  else {
    banner.textContent = `The dashboard failed to show the data: ${error.message}`;
    console.error(error);
  }
}

/**
 * Refreshes now (after an action: `full`; after a prediction or a confirmed diagnosis made here:
 * `monitoring`), or joins the refresh already under way and runs once more after it.
 */
function refreshNow({ full = false, monitoring = false } = {}) {
  if (full) forceFull = true;
  if (monitoring) forceMonitoring = true;
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = (async () => {
    clearTimeout(timer);
    do {
      again = false;
      try {
        await refresh();
        setConnection(null);
      } catch (error) {
        setConnection(error);
      }
    } while (again);
    inFlight = null;
    // A hidden tab stops polling and catches up when it is shown again.
    if (!document.hidden) timer = setTimeout(() => refreshNow(), working() ? BUSY_MS : IDLE_MS);
  })();
  return inFlight;
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void refreshNow();
});

/* Rendering: each part redraws only when its own data changed. */

/**
 * The header: the server's verdict on the test split (the latest check, else training), and on
 * live cases once it judged them (`live`: the serving version's entry, with the report's threshold).
 */
function renderHealth(active, latest, performance, firing, live) {
  const el = byId('health');
  const text = byId('health-text');
  if (!active || !performance) {
    el.dataset.state = 'none';
    text.textContent = 'No model is serving yet: press Train (or wait for the start-up training), or promote a version below.';
    document.title = 'mloop · no model';
  } else {
    const { value, threshold, passed } = latest ?? performance.verdict;
    const liveFails = live !== null && live.judged && !live.passed;
    el.dataset.state = passed && !liveFails ? 'pass' : 'fail';
    // The tab's title tells a tab kept in the background whether all is well.
    document.title = `${passed && !liveFails ? '✓' : '✗'} mloop v${active.version} · ${fmt.score(value)}${liveFails ? ` · live ${fmt.score(live.value)}` : ''}${firing > 0 ? ` · ${firing} firing` : ''}`;
    fill(
      text,
      h('strong', null, `Model v${active.version} serving`),
      ` · ${performance.verdict.label} ${fmt.score(value)} ${passed ? '≥' : '<'} ${threshold}`,
      passed ? '' : h('strong', null, ' · below threshold'),
      liveFails ? h('strong', { id: 'health-live' }, ` · live ${fmt.score(live.value)} < ${live.threshold}`) : '',
    );
  }
  const count = byId('alert-count');
  count.hidden = firing === 0;
  count.textContent = `${firing} alert${firing === 1 ? '' : 's'} firing`;
}

function gridSearchView(active, models) {
  if (active?.gridSearch) return gridHeatmap(active.gridSearch, active.version);
  const other = models.find((m) => m.gridSearch);
  if (other) return [h('p', { class: 'help' }, `The active model does not search a grid; the newest one that did is v${other.version} (${other.status}).`), gridHeatmap(other.gridSearch, other.version)];
  return h('p', { class: 'muted' }, 'No grid search yet: choose "gridsearch" and press Train to see the mean cross-validated accuracy of every (C, γ).');
}

function renderMonitoring() {
  const { live, drift, models, performance, activeVersion } = state;
  const modelOf = (version) => models.find((m) => m.version === version) ?? state.olderModels.get(version);
  const tests = live?.versions.map((v) => [v.modelVersion, modelOf(v.modelVersion)?.verdict ?? null]);
  const classes = performance?.classes;
  renderIfChanged('live', [live, activeVersion, tests, classes], () =>
    fill(byId('live'), live ? liveView(live, { modelOf, activeVersion, nameOf: classNamer(classes) }) : h('p', { class: 'muted' }, 'Loading…')),
  );
  renderIfChanged('drift', [drift, state.showAllFeatures], () =>
    fill(
      byId('drift'),
      driftView(drift, {
        showAll: state.showAllFeatures,
        onToggle: () => {
          state.showAllFeatures = !state.showAllFeatures;
          renderMonitoring();
        },
        onShowHistograms: showHistograms,
      }),
    ),
  );
}

function render() {
  const { active, performance, history, models, runs, alerts, snapshots, activeVersion } = state;
  // The model card and the header judge by the test split; live values have their own card.
  const latest = active ? history.filter((c) => c.modelVersion === active.version && c.source !== 'live').at(-1) : undefined;
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const snapshot = active ? snapshots.find((s) => s.id === active.snapshotId) : undefined;
  const model = active && performance ? active : null;

  const mine = model ? state.live?.versions.find((v) => v.modelVersion === model.version) : undefined;
  const live = mine ? { ...mine, threshold: state.live.threshold } : null;
  const nameOf = classNamer(performance?.classes);
  renderIfChanged('health', [model, latest, performance, firing, live], () => renderHealth(active, latest, performance, firing, live));
  renderIfChanged('model', [model, latest, snapshot, performance], () =>
    fill(byId('model'), model ? modelCard({ model, performance, latest, snapshot, features: { open: state.featuresOpen, onToggle: (open) => (state.featuresOpen = open) } }) : h('p', { class: 'muted' }, 'No model is active yet. Train one with the Train button above.')),
  );
  renderIfChanged('chart', [history, alerts], () => chart.update(history, alerts));
  renderMonitoring();
  renderIfChanged('confusion', performance, () => fill(byId('confusion'), performance ? confusionMatrix(performance.metrics, nameOf) : h('p', { class: 'muted' }, 'Shown once a model is active.')));
  // The live curves of the active version: their computation time stands for their (large) points.
  const activeLive = active ? state.live?.versions.find((v) => v.modelVersion === active.version) : undefined;
  renderIfChanged('curves', [active?.version, active?.curves, performance?.classes, activeLive?.curvesCases], () =>
    fill(byId('curves'), active ? curvesView(active.curves, nameOf, activeLive) : h('p', { class: 'muted' }, 'Shown once a model is active.')),
  );
  renderIfChanged('report', performance, () => fill(byId('report'), performance ? classificationReport(performance, nameOf) : h('p', { class: 'muted' }, 'Shown once a model is active.')));
  renderIfChanged('grid', [active?.version, active?.gridSearch, models.map((m) => [m.version, m.status, m.gridSearch !== null])], () => fill(byId('grid-search'), gridSearchView(active, models)));
  renderIfChanged('models', [models, activeVersion, state.acting, state.showAll.models], () =>
    fill(byId('models'), modelsTable(models, activeVersion, { onPromote: promote, busy: state.acting }), listToggle('models', models.length, 'versions')),
  );
  renderIfChanged('alerts', [alerts, performance?.classes, state.acting], () => fill(byId('alerts'), alertsTable(alerts, nameOf, { onSilence: silence, busy: state.acting })));
  renderIfChanged('silences', [state.silences, state.acting], () => fill(byId('silences'), silencesTable(state.silences, { onExpire: expireSilence, busy: state.acting })));
  renderIfChanged('rollout', [state.rollout, state.acting, performance?.classes], () => fill(byId('rollout'), rolloutView(state.rollout, nameOf, { onPromote: promoteChallenger, onAbort: abortRollout, busy: state.acting })));
  renderIfChanged('audit', state.audit, () => fill(byId('audit'), auditTable(state.audit)));
  renderIfChanged('runs', [runs, state.showAll.runs], () => fill(byId('runs'), runsTable(runs), listToggle('runs', runs.length, 'runs')));
  renderIfChanged('snapshots', [snapshots, active?.snapshotId], () => fill(byId('snapshots'), snapshotsTable(snapshots, active?.snapshotId)));
  thresholdEditor.setModel(model && { version: model.version, curves: model.curves, positive: performance.metrics.positive, nameOf });
  predictionForm.setModel(model && { version: model.version, featureSchema: model.featureSchema, classes: performance.classes, positive: performance.metrics.positive });

  byId('train').disabled = state.acting || trainingUnderWay();
  byId('train').textContent = trainingUnderWay() ? 'Training…' : 'Train';
  for (const id of ['update-data', 'check']) byId(id).disabled = state.acting;
  byId('rollback').disabled = state.acting || activeVersion === null;
  const kept = ['admin', 'feedback', 'read'].filter(hasToken);
  byId('token-state').hidden = kept.length === 0;
  byId('token-kept').textContent = `${new Intl.ListFormat('en').format(kept)} token${kept.length > 1 ? 's' : ''}`;
}

/* Actions: each asks for the admin token if the server wants one, then refreshes everything. */

function say(text, kind = 'info') {
  const el = byId('action-status');
  el.textContent = text;
  el.dataset.kind = kind;
}

async function act(what, request, success) {
  state.acting = true;
  render();
  say(`${what}…`);
  try {
    say(success(await request()), 'ok');
  } catch (error) {
    if (error.name === 'Cancelled') say(`${what}: ${error.message}.`, 'muted');
    else say(`${what} failed: ${error.message}`, 'bad');
  } finally {
    state.acting = false;
    histograms = null;
    await refreshNow({ full: true });
  }
}

/** The drift histograms, for the read token (asked for when the server wants it). */
async function showHistograms() {
  try {
    state.drift = await call('api/v1/drift?include=histograms', { method: 'GET', scope: 'read' });
    histograms = true;
    render();
  } catch (error) {
    if (error.name === 'Cancelled') say('Histograms: cancelled, no token given.', 'muted');
    else say(`Reading the histograms failed: ${error.message}`, 'bad');
  }
}

/**
 * A registry change; when the server answers that it needs force (the gate rejected the version),
 * the page shows the server's words, asks for a reason and sends it again with force.
 */
async function withForce(path, title) {
  try {
    return await call(path);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409 && error.details?.forceRequired)) throw error;
    const answer = await askReason({ title, message: error.message, confirm: 'Force it' });
    if (answer === null) throw new Cancelled('cancelled, nothing changed');
    return call(path, { body: { force: true, reason: answer.reason } });
  }
}

function promote(version) {
  return act(`Promoting v${version}`, () => withForce(`api/v1/models/${version}/promote`, `Force v${version} into service?`), (m) => `v${m.version} is now the active model (promoted by hand).`);
}

function promoteChallenger(r) {
  return act(
    `Promoting v${r.challengerVersion}`,
    async () => {
      const answer = await askReason({ title: `Promote v${r.challengerVersion} now?`, message: `The rollout has not decided yet: v${r.challengerVersion} replaces v${r.championVersion} by force. Say why (it goes to the audit log).`, confirm: 'Promote' });
      if (answer === null) throw new Cancelled('cancelled, nothing changed');
      return call('api/v1/rollout/promote', { body: { force: true, reason: answer.reason } });
    },
    (done) => `v${done.challengerVersion} is now the active model (rollout #${done.id} promoted by hand).`,
  );
}

function abortRollout(r) {
  return act(
    'Aborting the rollout',
    async () => {
      const answer = await askReason({ title: `Abort rollout #${r.id}?`, message: `v${r.challengerVersion} is retired and v${r.championVersion} keeps serving. Say why (it goes to the audit log).`, confirm: 'Abort' });
      if (answer === null) throw new Cancelled('cancelled, nothing changed');
      return call('api/v1/rollout/abort', { body: { reason: answer.reason } });
    },
    (done) => `Rollout #${done.id} aborted: v${done.championVersion} keeps serving.`,
  );
}

const silenceDurations = [
  ['1h', '1 hour'],
  ['4h', '4 hours'],
  ['24h', '1 day'],
  ['7d', '1 week'],
];

function silence(alert) {
  return act(
    'Silencing',
    async () => {
      const answer = await askReason({ title: 'Silence notifications', message: `Mute the notifications of the alerts that match ${matchersText(alert.silenceMatchers)}. They still fire and show here.`, confirm: 'Silence', durations: silenceDurations });
      if (answer === null) throw new Cancelled('cancelled, nothing silenced');
      return call('api/v1/silences', { body: { matchers: alert.silenceMatchers, until: answer.duration, reason: answer.reason } });
    },
    (s) => `Silence #${s.id} mutes ${matchersText(s.matchers)} until ${fmt.time(s.endsAt)}.`,
  );
}

function expireSilence(s) {
  return act(`Expiring silence #${s.id}`, () => call(`api/v1/silences/${s.id}`, { method: 'DELETE' }), (done) => `Silence #${done.id} has ended: its notifications are sent again.`);
}

byId('update-data').addEventListener('click', () =>
  act('Updating the data', () => call('api/v1/data/update'), (r) => `Data ${r.status === 'created' ? 'updated: new' : 'unchanged: same bytes as'} snapshot #${r.snapshot.id} (${r.snapshot.rowCount} rows).`),
);
byId('train').addEventListener('click', () => {
  const mode = byId('train-mode').value;
  return act(`Starting a ${mode} training`, () => call('api/v1/train', { body: { mode } }), (r) => `Training ${mode} started as run #${r.runId}: its progress shows under Recent runs.`);
});
byId('check').addEventListener('click', () => act('Starting a check', () => call('api/v1/jobs/check/run'), (r) => `Check started as run #${r.runId}: its result shows under Recent runs and in the chart.`));
byId('rollback').addEventListener('click', () => act('Rolling back', () => withForce('api/v1/models/rollback', 'Force a rollback?'), (m) => `Rolled back: v${m.version} is the active model again.`));
byId('forget-token').addEventListener('click', () => {
  forgetToken('admin');
  forgetToken('predict');
  forgetToken('feedback');
  forgetToken('read');
  histograms = null;
  render();
  say('The tokens are forgotten: the next action that needs one asks for it again.', 'muted');
});

void refreshNow();
