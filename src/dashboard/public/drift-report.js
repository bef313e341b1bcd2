import { badge, fmt, h, s, timeEl } from './dom.js';

/** Rows shown before "Show all": the most drifted; the headline counts them all. */
const SHOWN = 10;

const sparkWidth = 140;
const sparkHeight = 32;

/**
 * The training data's histogram of one feature (grey bars) and the recent inputs' (an orange
 * outline) over the same bins, each as proportions of its own rows so that 455 training rows and
 * 60 recent ones compare. Recent values outside the training range are counted in the first and
 * last bins, as the PSI counts them.
 */
export function histogramSparkline(feature, nReference, nRecent) {
  const { reference, recent, edges, categories } = feature.histogram;
  const bins = reference.length;
  const ref = reference.map((c) => c / Math.max(nReference, 1));
  const cur = recent.map((c) => c / Math.max(nRecent, 1));
  const top = Math.max(...ref, ...cur, 1e-9);
  const w = sparkWidth / bins;
  const y = (p) => sparkHeight - 1 - (p / top) * (sparkHeight - 3);
  const bars = ref.map((p, i) => s('rect', { class: 'spark-reference', x: (i * w + 0.5).toFixed(1), y: y(p).toFixed(1), width: (w - 1).toFixed(1), height: (sparkHeight - 1 - y(p)).toFixed(1) }));
  // A step line over the bins: its flat tops read as a second histogram drawn over the first.
  let d = `M0 ${sparkHeight - 1}`;
  cur.forEach((p, i) => (d += ` V${y(p).toFixed(1)} H${((i + 1) * w).toFixed(1)}`));
  d += ` V${sparkHeight - 1}`;
  const range = categories ? `the categories ${categories.join(', ')}` : `${fmt.num(edges[0])} to ${fmt.num(edges[edges.length - 1])}`;
  // Stretched to the row's width on a phone: the lines keep their width (non-scaling-stroke in the CSS).
  return s(
    'svg',
    { class: 'spark', viewBox: `0 0 ${sparkWidth} ${sparkHeight}`, width: sparkWidth, height: sparkHeight, preserveAspectRatio: 'none', role: 'img', 'aria-label': `${feature.feature}: training and recent histograms over ${range}` },
    s('title', null, `${feature.feature}, ${categories ? range : `${bins} bins from ${range}`}\ntraining: ${ref.map((p) => fmt.percent(p)).join(' ')}\nrecent:   ${cur.map((p) => fmt.percent(p)).join(' ')}`),
    s('line', { class: 'spark-axis', x1: 0, x2: sparkWidth, y1: sparkHeight - 0.5, y2: sparkHeight - 0.5 }),
    bars,
    s('path', { class: 'spark-recent', d }),
  );
}

/** The two colours of the sparklines, named once above the table. */
function sparkLegend() {
  return h(
    'span',
    { class: 'spark-legend' },
    s('svg', { width: 12, height: 10, 'aria-hidden': 'true' }, s('rect', { class: 'spark-reference', x: 0, y: 1, width: 12, height: 9 })),
    ' training data ',
    s('svg', { width: 14, height: 10, 'aria-hidden': 'true' }, s('path', { class: 'spark-recent', d: 'M1 10 V2 H13 V10' })),
    ' recent inputs',
  );
}

function outOfRange({ below, above }) {
  if (below === 0 && above === 0) return h('span', { class: 'muted' }, '–');
  return h('span', { title: `${below} below the training minimum, ${above} above the training maximum` }, below > 0 ? `↓${below}` : '', below > 0 && above > 0 ? ' ' : '', above > 0 ? `↑${above}` : '');
}

/** The feature's test statistic: KS D for a number, chi-square for categories; '–' with the reason when untested. */
function testStatistic(f) {
  if (f.kind === 'categorical') {
    if (!f.chiSquare) return h('td', { class: 'num muted', title: f.note ?? '' }, '–');
    return h('td', { class: 'num', title: `chi-square ${f.chiSquare.statistic} with ${f.chiSquare.dof} degrees of freedom (p-value ${f.chiSquare.pValue})${f.note ? `: ${f.note}` : ''}` }, `χ² ${fmt.num(f.chiSquare.statistic, 1)}`);
  }
  if (!f.ks) return h('td', { class: 'num muted', title: f.note ?? '' }, '–');
  return h('td', { class: 'num', title: `two-sample KS statistic ${f.ks.statistic} (${f.ks.method} p-value ${f.ks.pValue})` }, `D ${fmt.score(f.ks.statistic)}`);
}

/** Recent values the training data never had: beyond its range for a number, an unknown category for a categorical feature. */
function unseen(f) {
  if (f.kind !== 'categorical') return outOfRange(f.outOfRange);
  const i = f.histogram ? f.histogram.categories.indexOf('(unknown)') : -1;
  return i < 0 ? h('span', { class: 'muted' }, '–') : h('span', { title: `${f.histogram.recent[i]} recent inputs in a category the model never saw` }, `new ${f.histogram.recent[i]}`);
}

function missing({ missingRate }) {
  if (!missingRate || (missingRate.reference === 0 && missingRate.recent === 0)) return h('span', { class: 'muted' }, '–');
  return h('span', { title: `missing in ${fmt.percent(missingRate.reference)} of the training rows and ${fmt.percent(missingRate.recent)} of the recent inputs` }, fmt.percent(missingRate.recent));
}

function featureRow(f, report) {
  const cells = [
    h('td', { class: 'feature-name' }, h('span', { class: 'mono' }, f.feature), f.drifted ? [' ', badge('drifted', 'bad')] : null),
    h('td', { class: 'spark-cell' }, f.histogram ? histogramSparkline(f, report.nReference, report.nRecent) : h('span', { class: 'muted', title: 'the histograms show patients’ values: they need the read token' }, '–')),
    testStatistic(f),
    h('td', { class: `num${f.drifted ? ' bad' : ''}`, title: `Bonferroni-adjusted p ${f.pAdjusted}` }, fmt.p(f.pAdjusted)),
    h('td', { class: 'num' }, h('span', { class: f.psiMajor ? 'psi-major' : null, title: f.psiMajor ? `PSI ${f.psi}: a major shift (≥ ${report.options.psiMajor})` : `PSI ${f.psi}` }, fmt.num(f.psi, 2))),
    h('td', { class: 'num' }, unseen(f)),
    h('td', { class: 'num' }, missing(f)),
  ];
  return h('tr', { dataset: { feature: f.feature, drifted: String(f.drifted), psiMajor: String(f.psiMajor) } }, cells);
}

function headline(report) {
  const { driftedCount, nFeatures, driftedShare, datasetDrift, options } = report;
  const where = datasetDrift ? 'above' : driftedShare === options.driftShare ? 'at' : 'below';
  return h(
    'p',
    { class: 'drift-headline', id: 'drift-headline', dataset: { state: datasetDrift ? 'drift' : 'ok' } },
    h('strong', null, `${driftedCount} of ${nFeatures} features drifted (${fmt.percent(driftedShare)})`),
    ` — ${where} the ${fmt.percent(options.driftShare)} alert threshold`,
  );
}

/**
 * Which inputs the report compared: the newest of the window when it holds more than the server
 * compares (monitor.driftMaxRows), with the time of the oldest of them.
 */
function comparedInputs(drift) {
  const { sample, window } = drift;
  if (!sample) return `${drift.nRecent} recent inputs (${window})`;
  const rows = sample.rows.toLocaleString('en');
  const text = sample.windowRows > sample.rows ? [`The newest ${rows} of ${sample.windowRows.toLocaleString('en')} recent inputs (${window}`, sample.from ? [', since ', timeEl(sample.from)] : null, ')'] : `${rows} recent inputs (${window})`;
  return h('span', { id: 'drift-sample', dataset: { kind: sample.kind, rows: String(sample.rows), windowRows: String(sample.windowRows) } }, text);
}

/** When the server computed the report: the check job computes one, a read at most every monitor.driftMinInterval. */
function computedWhen(drift) {
  return h('span', { id: 'drift-computed' }, ' Computed ', timeEl(drift.computedAt), drift.runId === null ? '' : ` by check run #${drift.runId}`, '.');
}

/**
 * GET /api/v1/drift as a headline and a table, most drifted (smallest adjusted p) first, with a
 * small histogram per feature when the server showed them (they are patient data: a server with
 * tokens shows them for the read token only, which `onShowHistograms` asks for). `showAll` lists
 * every feature; otherwise the SHOWN most drifted, with a button for the rest.
 */
export function driftView(drift, { showAll, onToggle, onShowHistograms }) {
  if (!drift) return h('p', { class: 'muted' }, 'Shown once a model is active.');
  const { report } = drift;
  if (!report) {
    return [
      h('p', { class: 'drift-headline', id: 'drift-headline', dataset: { state: 'none' } }, h('strong', null, 'Not judged yet: '), h('span', { id: 'drift-reason' }, drift.reason ?? 'no report')),
      h('p', { class: 'help' }, `Recent inputs (${drift.window}) are compared with the training data of model v${drift.modelVersion} once there are ${drift.minRows} of them.`, computedWhen(drift)),
    ];
  }
  const features = [...report.features].sort((a, b) => a.pAdjusted - b.pAdjusted || b.psi - a.psi);
  const shown = showAll ? features : features.slice(0, SHOWN);
  const heads = ['Feature', 'Training vs recent', 'Test', 'adj. p', 'PSI', 'Unseen', 'Missing'];
  const rows = shown.map((f) => featureRow(f, report));
  for (const row of rows) [...row.cells].forEach((cell, i) => (cell.dataset.label = cell.classList.contains('spark-cell') ? '' : heads[i]));
  return [
    headline(report),
    h(
      'p',
      { class: 'help' },
      comparedInputs(drift),
      ` against the ${report.nReference} training rows of model v${drift.modelVersion}.`,
      computedWhen(drift),
      ` A feature drifts when its test (two-sample Kolmogorov-Smirnov for a number, chi-square of the category shares for a categorical feature) gives a Bonferroni-adjusted p below ${report.options.alpha}; missing values take part in no test; `,
      h('span', { class: 'psi-major' }, `PSI ≥ ${report.options.psiMajor}`),
      ' marks a major shift. ',
      features.every((f) => f.histogram)
        ? sparkLegend()
        : h('button', { type: 'button', class: 'link', id: 'drift-histograms', onclick: onShowHistograms }, 'Show the histograms (they need the read token)'),
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h('table', { class: 'list drift-table', id: 'drift-table' }, h('thead', null, h('tr', null, heads.map((t, i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : null }, t)))), h('tbody', null, rows)),
    ),
    features.length > SHOWN
      ? h(
          'button',
          { type: 'button', class: 'link drift-toggle', id: 'drift-toggle', 'aria-expanded': String(showAll), onclick: onToggle },
          showAll ? `Show only the ${SHOWN} most drifted` : `Show all ${features.length} features${report.driftedCount > SHOWN ? ` (${report.driftedCount - SHOWN} more drifted)` : ''}`,
        )
      : null,
  ];
}
