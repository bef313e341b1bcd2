import { badge, fmt, h, timeEl } from './dom.js';
import { featureSchemaView } from './feature-schema.js';

const modeWords = {
  basic: 'RBF SVC on the raw measurements',
  normalized: 'min-max scaler, then RBF SVC',
  gridsearch: 'min-max scaler, then RBF SVC with C and γ chosen by cross-validation',
};

/** Badge colours of the two fields the server sends: whether a version serves, and the gate's verdict. */
export const servingKind = { active: 'ok', candidate: 'info', challenger: 'info', retired: 'muted' };
export const verdictKind = { passed: 'ok', rejected: 'bad' };

function hyperparameters(model) {
  const gs = model.gridSearch;
  if (gs) return `C = ${gs.bestParams.C}, γ = ${gs.bestParams.gamma} (best of ${gs.candidates.length} by ${gs.cv}-fold CV)`;
  return `C = ${model.params?.C ?? '?'}, γ = ${model.params?.gamma ?? '?'}`;
}

function snapshotText(snapshot, id) {
  if (!snapshot) return `snapshot #${id}`;
  const classes = Object.entries(snapshot.classCounts)
    .map(([label, n]) => `${n} ${label}`)
    .join(', ');
  return [`snapshot #${snapshot.id} · ${snapshot.rowCount} rows (${classes}) · taken `, timeEl(snapshot.createdAt)];
}

/**
 * The active model at a glance: the server's verdict on its monitored value (the latest check of
 * this version if there is one, else its training's), then what it is and the inputs it takes
 * (`features`: whether that fold is open, and what to do when the reader toggles it).
 */
export function modelCard({ model, performance, latest, snapshot, features }) {
  const { value, threshold, passed } = latest ?? performance.verdict;
  const measured = latest
    ? [latest.source === 'check' ? 'last check ' : 'measured at training ', timeEl(latest.createdAt), ` on snapshot #${latest.snapshotId}`]
    : ['measured at training'];
  const support = performance.metrics.perClass.reduce((n, c) => n + c.support, 0);
  return h(
    'div',
    { class: 'model' },
    h('div', { class: 'model-head' }, h('span', { class: 'model-version', id: 'active-version', dataset: { version: model.version } }, `v${model.version}`), badge(model.servingStatus, servingKind[model.servingStatus] ?? 'muted'), badge(`gate: ${model.gateVerdict}`, verdictKind[model.gateVerdict] ?? 'muted'), h('span', { class: 'model-mode' }, model.mode)),
    h(
      'div',
      { class: 'recall-box', id: 'monitored', dataset: { state: passed ? 'pass' : 'fail' } },
      h('span', { class: 'recall-value', title: String(value) }, fmt.score(value)),
      h(
        'span',
        { class: 'recall-text' },
        h('strong', null, performance.verdict.label),
        h('span', { class: 'recall-verdict' }, passed ? `✓ reaches the threshold ${threshold}` : `✗ below the threshold ${threshold}`),
        h('span', { class: 'muted small' }, measured),
      ),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Mode'),
      h('dd', null, h('strong', null, model.mode), ': ', modeWords[model.mode] ?? ''),
      h('dt', null, 'Hyperparameters'),
      h('dd', null, hyperparameters(model)),
      h('dt', null, 'Data'),
      h('dd', null, snapshotText(snapshot, model.snapshotId)),
      h('dt', null, 'Trained'),
      h('dd', null, timeEl(model.createdAt), ` in ${fmt.ms(model.trainingMs)}`),
      h('dt', null, 'Test split'),
      h('dd', null, `accuracy ${fmt.score(performance.metrics.accuracy)} on ${support} held-out rows`),
      h('dt', null, 'Gate'),
      h('dd', null, model.gateReason ?? 'passed the promotion gate'),
    ),
    featureSchemaView(model.featureSchema, features),
  );
}

/**
 * Rows are the true class, columns the predicted one, in the API's label order; `nameOf` gives a
 * label's display name. The live card shows the same table for confirmed cases: `id` and `where`
 * say which.
 */
export function confusionMatrix({ labels, confusionMatrix: cm, positive }, nameOf, { id = 'confusion-table', where = 'on the test split', compact = false } = {}) {
  const p = labels.indexOf(positive);
  const missed = p < 0 ? 0 : cm[p].reduce((n, v, j) => (j === p ? n : n + v), 0);
  const falseAlarms = p < 0 ? 0 : cm.reduce((n, row, i) => (i === p ? n : n + row[p]), 0);
  const max = Math.max(1, ...cm.flat());
  return h(
    'div',
    null,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        // Beyond two classes the full-size cells no longer fit a card.
        { class: compact || labels.length > 2 ? 'cm cm-compact' : 'cm', id },
        h('thead', null, h('tr', null, h('td', { rowspan: 2, colspan: 2 }), h('th', { colspan: labels.length, scope: 'colgroup' }, 'predicted')), h('tr', null, labels.map((l) => h('th', { scope: 'col' }, nameOf(l))))),
        h(
          'tbody',
          null,
          labels.map((l, i) =>
            h(
              'tr',
              null,
              i === 0 ? h('th', { rowspan: labels.length, scope: 'rowgroup', class: 'cm-axis' }, 'true') : null,
              h('th', { scope: 'row' }, nameOf(l)),
              cm[i].map((v, j) =>
                h('td', { class: i === j ? 'cm-hit' : v > 0 ? 'cm-miss' : 'cm-zero', style: { '--share': String(v / max) }, dataset: { true: l, predicted: labels[j] }, title: `${v} ${nameOf(l)} predicted ${nameOf(labels[j])}` }, String(v)),
              ),
            ),
          ),
        ),
      ),
    ),
    p < 0
      ? null
      : h('p', { class: 'help' }, h('strong', null, `${missed} ${nameOf(positive)}`), ` predicted ${labels.filter((l) => l !== positive).map(nameOf).join('/')} (missed); `, h('strong', null, String(falseAlarms)), ` predicted ${nameOf(positive)} wrongly, ${where}.`),
  );
}

/** scikit-learn's classification_report as a table, the monitored number highlighted. */
export function classificationReport(performance, nameOf) {
  const m = performance.metrics;
  const monitorsPositive = performance.verdict.metric === 'recall';
  const row = (name, s, { monitored = false, strong = false, separated = false } = {}) =>
    h('tr', { class: separated ? 'report-sep' : null }, h('th', { scope: 'row' }, strong ? h('strong', null, name) : name), h('td', null, fmt.score(s.precision)), h('td', { class: monitored ? 'monitored' : null, title: String(s.recall) }, fmt.score(s.recall)), h('td', null, fmt.score(s.f1)), h('td', null, String(s.support)));
  const support = m.perClass.reduce((n, c) => n + c.support, 0);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'report', id: 'report-table' },
      h('thead', null, h('tr', null, h('td'), h('th', { scope: 'col' }, 'precision'), h('th', { scope: 'col' }, 'recall'), h('th', { scope: 'col' }, 'f1-score'), h('th', { scope: 'col' }, 'support'))),
      h(
        'tbody',
        null,
        m.perClass.map((c) => row(`${nameOf(c.label)} (${c.label})`, c, { monitored: monitorsPositive && c.label === m.positive, strong: c.label === m.positive })),
        // As classification_report: "micro avg" in place of accuracy when a label is absent from the split.
        m.microIsAccuracy === false
          ? row('micro avg', m.microAvg, { separated: true })
          : h('tr', { class: 'report-sep' }, h('th', { scope: 'row' }, 'accuracy'), h('td'), h('td'), h('td', null, fmt.score(m.accuracy)), h('td', null, String(support))),
        row('macro avg', m.macroAvg, { monitored: !monitorsPositive }),
        row('weighted avg', m.weightedAvg),
      ),
    ),
    h('p', { class: 'help' }, `Model v${performance.version} on its ${support} held-out test rows. `, h('span', { class: 'monitored-key' }, 'Highlighted'), ': the monitored metric.'),
  );
}
