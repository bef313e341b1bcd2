import { badge, fmt, h, listTable, s } from './dom.js';
import { confusionMatrix } from './model-views.js';

const stripWidth = 100;
const stripHeight = 22;

const capitalised = (text) => text.replace(/^./, (c) => c.toUpperCase());

/** A shared scale for every row's strip, down from 1 to below the lowest value or threshold. */
function scaleFor(values, threshold) {
  const lo = Math.min(threshold, ...values.filter((v) => Number.isFinite(v)));
  const from = Math.max(0, Math.floor((lo - 0.05) * 20) / 20);
  return (v) => 4 + ((v - from) / (1 - from)) * (stripWidth - 8);
}

/**
 * Live and test-split values of one version on one line, with the threshold: the gap between the
 * two dots is what the row is about. A live value not yet judged is drawn hollow and grey.
 */
function comparisonStrip(live, test, threshold, judged, x) {
  const mid = stripHeight / 2;
  const parts = [s('line', { class: 'strip-axis', x1: 4, x2: stripWidth - 4, y1: mid, y2: mid }), s('line', { class: 'strip-threshold', x1: x(threshold), x2: x(threshold), y1: 2, y2: stripHeight - 2 })];
  if (Number.isFinite(test)) {
    const t = x(test);
    parts.push(s('path', { class: 'strip-test', d: `M${t.toFixed(1)} ${mid - 5} l5 5 l-5 5 l-5 -5 z` }));
  }
  if (Number.isFinite(live)) parts.push(s('circle', { class: judged ? 'strip-live' : 'strip-live unjudged', cx: x(live).toFixed(1), cy: mid, r: 4.5 }));
  const words = `live ${fmt.score(live)}${judged ? '' : ' (not judged)'}, test split ${fmt.score(test)}, threshold ${threshold}`;
  return s('svg', { class: 'strip', viewBox: `0 0 ${stripWidth} ${stripHeight}`, width: stripWidth, height: stripHeight, role: 'img', 'aria-label': words }, s('title', null, words), parts);
}

function legend(threshold) {
  const item = (shape, words) => h('span', { class: 'legend-item' }, s('svg', { width: 12, height: 12, viewBox: '0 0 12 12', 'aria-hidden': 'true' }, shape), words);
  return h(
    'p',
    { class: 'help strip-legend' },
    item(s('circle', { class: 'strip-live', cx: 6, cy: 6, r: 4.5 }), 'live, on confirmed cases'),
    item(s('path', { class: 'strip-test', d: 'M6 1 l5 5 l-5 5 l-5 -5 z' }), 'test split at training'),
    item(s('line', { class: 'strip-threshold', x1: 6, x2: 6, y1: 0, y2: 12 }), `threshold ${threshold}`),
  );
}

/**
 * GET /api/v1/performance/live next to each version's test-split value from the registry: the
 * window's confirmed and pending cases, then one row per version (newest first) with the server's
 * verdict, a note where too few confirmed positive cases exist to judge, and the serving version's
 * live confusion matrix. `modelOf(version)` gives the registry entry, or undefined while it is
 * being read; `nameOf(label)` a class's display name.
 */
export function liveView(live, { modelOf, activeVersion, nameOf }) {
  if (!live) return h('p', { class: 'muted' }, 'Loading…');
  const { metric, label, threshold, positive } = live;
  const total = live.confirmed + live.pending;
  const counts = [
    h(
      'p',
      { class: 'live-counts', id: 'live-counts', dataset: { confirmed: live.confirmed, pending: live.pending } },
      h('strong', { class: 'live-confirmed' }, String(live.confirmed)),
      ' confirmed · ',
      h('strong', { class: 'live-pending' }, String(live.pending)),
      ` pending diagnosis · ${live.window}`,
    ),
    total > 0 ? h('div', { class: 'split-bar', 'aria-hidden': 'true' }, h('span', { class: 'split-confirmed', style: { '--share': String(live.confirmed / total) } })) : null,
  ];
  if (live.versions.length === 0) {
    return [
      counts,
      h(
        'p',
        { class: 'muted', id: 'live-empty' },
        `No confirmed diagnoses in the ${live.window} yet. Live performance is measured on the predictions whose diagnosis pathology has confirmed: send the diagnoses to POST /api/v1/feedback, or confirm one under "Try a prediction".`,
      ),
    ];
  }

  const rows = live.versions.map((v) => ({ v, model: modelOf(v.modelVersion) }));
  const testOf = (model) => (model ? model.verdict.value : Number.NaN);
  const x = scaleFor(
    rows.flatMap((r) => [r.v.value, testOf(r.model)]),
    threshold,
  );
  const heads = ['Version', 'Live', 'Test split', ''];
  const trs = rows.flatMap(({ v, model }) => {
    const { value, judged } = v;
    const test = testOf(model);
    const state = !judged ? 'unjudged' : v.passed ? 'pass' : 'fail';
    const extra = metric === 'recall' ? '' : ` · recall of ${nameOf(positive)} ${fmt.score(v.recall)}`;
    const row = h(
      'tr',
      { dataset: { version: v.modelVersion, state } },
      h(
        'td',
        { class: 'live-version' },
        h('strong', null, `v${v.modelVersion}`),
        v.modelVersion === activeVersion ? [' ', badge('serving', 'ok')] : null,
        h(
          'div',
          { class: 'muted small live-cases', title: `${v.confirmedPositives} ${nameOf(positive)} of ${v.confirmed} confirmed · precision ${fmt.score(v.precision)} · accuracy ${fmt.score(v.accuracy)}${extra}` },
          `${v.confirmed} case${v.confirmed === 1 ? '' : 's'} · ${v.confirmedPositives} ${nameOf(positive)}`,
        ),
      ),
      h('td', { class: `num live-value ${state === 'pass' ? 'good' : state === 'fail' ? 'bad' : 'muted'}`, title: `${label} ${value} on ${v.confirmed} confirmed cases` }, h('strong', null, fmt.score(value))),
      h('td', { class: 'num test-value', title: model ? `${model.verdict.label} ${test} on the test split of snapshot #${model.snapshotId}` : 'not among the versions read yet' }, fmt.score(test)),
      h('td', { class: 'strip-cell' }, comparisonStrip(value, test, threshold, judged, x)),
    );
    [...row.cells].forEach((cell, i) => (cell.dataset.label = cell.classList.contains('strip-cell') ? '' : heads[i]));
    if (judged) return [row];
    const note = h('tr', { class: 'note-row', dataset: { noteFor: v.modelVersion } }, h('td', { colspan: heads.length, class: 'reason live-note' }, `Not enough confirmed ${nameOf(positive)} cases to judge: ${v.confirmedPositives} of ${live.minCases} needed.`));
    return [row, note];
  });

  const shown = rows.find((r) => r.v.modelVersion === activeVersion) ?? rows[0];
  return [
    counts,
    h('p', { class: 'help' }, `${capitalised(label)} per version, live on the confirmed cases next to the test split at training; judged from ${live.minCases} confirmed ${nameOf(positive)} cases.`),
    h(
      'div',
      { class: 'table-wrap' },
      h('table', { class: 'list live-table', id: 'live-table' }, h('thead', null, h('tr', null, heads.map((t, i) => h('th', { scope: 'col', class: i === 1 || i === 2 ? 'num' : null }, t)))), h('tbody', null, trs)),
    ),
    legend(threshold),
    h('h3', { class: 'subhead' }, `Confirmed cases of v${shown.v.modelVersion}`),
    confusionMatrix({ labels: shown.v.labels, confusionMatrix: shown.v.confusionMatrix, positive }, nameOf, { id: 'live-confusion', where: 'among the confirmed cases', compact: true }),
    classRecalls(shown.v, shown.model, { positive, nameOf }),
  ];
}

/**
 * Every class's recall among one version's confirmed cases next to its recall on the test split,
 * both as the server measured them; a class without confirmed cases has no live recall yet.
 */
function classRecalls(v, model, { positive, nameOf }) {
  if (!v.metrics) return null;
  const testOf = (label) => model?.metrics.perClass.find((c) => c.label === label);
  const rows = v.metrics.perClass.map((c) => {
    const test = testOf(c.label);
    return h(
      'tr',
      { dataset: { label: c.label } },
      h('td', null, c.label === positive ? h('strong', null, nameOf(c.label)) : nameOf(c.label)),
      h('td', { class: 'num' }, String(c.support)),
      h('td', { class: 'num live-class-recall', title: c.support === 0 ? 'no confirmed case of this class yet' : String(c.recall) }, c.support === 0 ? '–' : fmt.score(c.recall)),
      h('td', { class: 'num', title: test ? `${test.recall} on ${test.support} test rows` : 'not among the versions read yet' }, fmt.score(test?.recall)),
    );
  });
  const table = listTable('live-classes', ['Class', 'Confirmed', 'Live recall', 'Test split'], rows, '');
  table.classList.add('live-classes');
  return h('div', { class: 'table-wrap' }, table);
}
