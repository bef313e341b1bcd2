import type { ModelCardData } from './model-card.js';

/**
 * The model card as one self-contained HTML page: styles inline, no script, no image, no link to
 * fetch, so it can be saved, mailed, printed and signed as it is. Every value that comes from the
 * configuration, the data or a request (titles, labels, feature names, reasons, the source) is
 * escaped: a hostile string is shown as text, never run.
 */
export function modelCardHtml(card: ModelCardData): string {
  const { model } = card;
  const title = `${card.title} · model v${model.version}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`Model card · ${title}`)}</title>
<style>${styles}</style>
</head>
<body>
<header>
<h1>Model card</h1>
<p class="lead">${esc(title)}</p>
<p class="muted">Generated ${esc(card.generatedAt)} by mloop from its registry, prediction log and drift reports.</p>
</header>
${section('Intended use', intendedUse(card))}
${section('Model', modelFacts(card))}
${section('Data snapshot and lineage', lineage(card))}
${section('Parameters', parameters(card))}
${section('Grid search', gridSearch(card))}
${section('Test-split evaluation', testSplit(card))}
${section('Promotion gate', gate(card))}
${section('Live performance', livePerformance(card))}
${section('Drift', drift(card))}
${section('Review', review())}
</body>
</html>
`;
}

const styles = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin: 0; } h2 { font-size: 1.15rem; border-bottom: 1px solid #d1d5db; padding-bottom: .25rem; margin-top: 2rem; }
.lead { font-size: 1.1rem; margin: .25rem 0; } .muted { color: #6b7280; } .warn { color: #92400e; background: #fef3c7; padding: .5rem .75rem; border-radius: 4px; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { border: 1px solid #d1d5db; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { font-weight: 600; background: #ecfdf5; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
pre { background: #f9fafb; border: 1px solid #e5e7eb; padding: .75rem; overflow-x: auto; }
.passed { color: #065f46; font-weight: 600; } .rejected { color: #991b1b; font-weight: 600; }
.sign td { height: 2.5rem; min-width: 14rem; }
@media print { body { margin: 0; max-width: none; } section { break-inside: avoid; } }
`;

const escapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value: nothing in it can open a tag or leave an attribute. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => escapes[c]);
}

const num = (value: number, digits = 4) => (Number.isFinite(value) ? String(Number(value.toFixed(digits))) : String(value));
const section = (heading: string, body: string) => `<section>\n<h2>${esc(heading)}</h2>\n${body}\n</section>`;
const facts = (rows: readonly (readonly [string, string])[]) => `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
const table = (head: readonly string[], rows: readonly string[]) => `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
const cells = (values: readonly string[], className = '') => `<tr${className ? ` class="${className}"` : ''}>${values.join('')}</tr>`;
const td = (value: unknown) => `<td>${esc(value)}</td>`;
const tdNum = (value: number, digits?: number) => `<td class="num">${esc(num(value, digits))}</td>`;
const className = (card: ModelCardData, label: string) => (card.classNames[label] ? `${label} (${card.classNames[label]})` : label);

function intendedUse(card: ModelCardData): string {
  if (card.intendedUse === null) return '<p class="warn">Not stated: set <code>dataset.intendedUse</code> in the configuration (what the model is for, for whom, and what it must not be used for).</p>';
  return `<p>${esc(card.intendedUse)}</p>`;
}

function modelFacts(card: ModelCardData): string {
  const { model } = card;
  return facts([
    ['Version', esc(`v${model.version}`)],
    ['Trained', esc(model.createdAt)],
    ['Training run', esc(model.runId === null ? 'none recorded' : `#${model.runId}`)],
    ['Training time', esc(`${(model.trainingMs / 1000).toFixed(1)} s`)],
    ['Serving status', esc(model.servingStatus)],
    ['Classes', esc(card.metrics.labels.map((l) => className(card, l)).join(', '))],
    ['Positive class', esc(className(card, card.positive))],
  ]);
}

function lineage(card: ModelCardData): string {
  const s = card.snapshot;
  if (!s) return `<p class="warn">Snapshot #${esc(card.model.snapshotId)} is no longer in the store.</p>`;
  const classes = Object.entries(s.classCounts).map(([label, n]) => `${label}: ${n}`).join(', ');
  const snapshot = facts([
    ['Snapshot', esc(`#${s.id}, taken ${s.createdAt}`)],
    ['Source', esc(s.source)],
    ['Content hash (SHA-256)', `<code>${esc(s.contentHash)}</code>`],
    ['Rows', esc(`${s.rowCount} labelled${s.unlabelledRows > 0 ? `, ${s.unlabelledRows} without a label left out` : ''}`)],
    ['Rows per class', esc(classes)],
    ['Features', esc(`${s.featureNames.length}: ${s.featureNames.join(', ')}`)],
  ]);
  const history =
    card.servingHistory.length === 0
      ? '<p class="muted">This version has never served.</p>'
      : table(
          ['When', 'Change', 'From', 'To', 'By', 'Reason'],
          card.servingHistory.map((e) => cells([td(e.at), td(e.action), td(e.fromVersion === null ? '–' : `v${e.fromVersion}`), td(e.toVersion === null ? '–' : `v${e.toVersion}`), td(e.actor), td(e.reason ?? '')])),
        );
  return `${snapshot}<h3>Serving history</h3>${history}`;
}

function parameters(card: ModelCardData): string {
  const p = card.params;
  const best = card.gridSearch?.bestParams;
  const rows: [string, string][] = [
    ['Mode', esc(p.mode ?? card.model.mode)],
    ['Estimator', esc(`RBF-kernel SVC (libsvm, scikit-learn-identical)${p.mode === 'basic' ? '' : ' after min-max scaling of the numeric features'}`)],
    ['C', esc(best ? `${best.C} (chosen by grid search)` : String(p.C ?? '–'))],
    ['gamma', esc(best ? `${best.gamma} (chosen by grid search)` : String(p.gamma ?? '–'))],
    ['Missing numeric values', esc(`imputed with the training ${p.impute ?? 'mean'}`)],
  ];
  if (p.mode === 'gridsearch') rows.push(['Cross-validation', esc(`${p.cv ?? card.gridSearch?.cv ?? '–'} folds`)]);
  return facts(rows);
}

function gridSearch(card: ModelCardData): string {
  const g = card.gridSearch;
  if (!g) return '<p class="muted">No grid search: this version was trained with fixed parameters.</p>';
  const rows = g.candidates.map((c, i) => cells([td(c.C), td(c.gamma), tdNum(g.meanTestScore[i]), tdNum(g.stdTestScore[i]), td(g.rankTestScore[i])], i === g.bestIndex ? 'best' : ''));
  return `<p>${esc(`${g.candidates.length} candidates, ${g.cv}-fold cross-validated accuracy; the best (highlighted) scored ${num(g.bestScore)}.`)}</p>${table(['C', 'gamma', 'mean accuracy', 'std', 'rank'], rows)}`;
}

function confusion(labels: readonly string[], matrix: readonly (readonly number[])[]): string {
  const head = ['true \\ predicted', ...labels];
  return table(
    head,
    matrix.map((row, i) => cells([`<th>${esc(labels[i])}</th>`, ...row.map((n) => tdNum(n))])),
  );
}

function testSplit(card: ModelCardData): string {
  const m = card.metrics;
  return [
    `<p>${esc(`On the held-out test split (${m.perClass.reduce((n, c) => n + c.support, 0)} rows), never seen in training.`)}</p>`,
    `<pre>${esc(card.model.reportText.replace(/\n+$/, ''))}</pre>`,
    '<h3>Confusion matrix</h3>',
    confusion(m.labels, m.confusionMatrix),
  ].join('\n');
}

function gate(card: ModelCardData): string {
  const { model } = card;
  return facts([
    ['Verdict', `<span class="${model.gateVerdict === 'passed' ? 'passed' : 'rejected'}">${esc(model.gateVerdict)}</span>`],
    ['Monitored metric', esc(`${model.monitoredMetric} = ${num(model.monitoredValue)} (threshold ${model.threshold})`)],
    ['Reason', esc(model.gateReason ?? '–')],
  ]);
}

function livePerformance(card: ModelCardData): string {
  const { report, version } = card.live;
  if (!version || version.confirmed === 0) return `<p class="muted">${esc(`No confirmed diagnosis for this version yet (window: ${report.window}).`)}</p>`;
  const judged = version.judged ? '' : ` Not judged yet: ${version.confirmedPositives} confirmed positive cases, ${report.minCases} needed.`;
  return [
    `<p>${esc(`${version.confirmed} cases confirmed by pathology in the window (${report.window}).${judged}`)}</p>`,
    facts([
      [report.label, `<span class="${version.passed ? 'passed' : 'rejected'}">${esc(`${num(version.value)} (threshold ${report.threshold})`)}</span>`],
      ['Recall (macro)', esc(num(version.recallMacro))],
      ['Precision', esc(num(version.precision))],
      ['Accuracy', esc(num(version.accuracy))],
    ]),
    confusion(version.labels, version.confusionMatrix),
  ].join('\n');
}

function drift(card: ModelCardData): string {
  const d = card.drift;
  if (!d) return '<p class="muted">No drift report for this version yet.</p>';
  if (!d.report) return `<p class="muted">${esc(`Not judged (${d.computedAt}): ${d.reason ?? 'no report'}.`)}</p>`;
  const r = d.report;
  const outside = (f: (typeof r.features)[number]) => (f.kind === 'numeric' ? f.outOfRange.below + f.outOfRange.above : 0);
  const statistic = (f: (typeof r.features)[number]) => (f.kind === 'numeric' ? f.ks?.statistic : f.chiSquare?.statistic);
  const rows = r.features
    .filter((f) => f.drifted || f.psiMajor || outside(f) > 0)
    .map((f) => {
      const s = statistic(f);
      return cells([td(f.feature), td(f.kind === 'numeric' ? 'KS' : 'chi-square'), s === undefined ? td('–') : tdNum(s), tdNum(f.pAdjusted), tdNum(f.psi), td(outside(f)), td(f.drifted ? 'drifted' : '')]);
    });
  const summary = `${r.driftedCount} of ${r.nFeatures} features drifted (share ${num(r.driftedShare)}; the data set drifts above ${r.options.driftShare}): ${r.datasetDrift ? 'DRIFT' : 'no data set drift'}. ${r.nRecent} recent inputs against ${r.nReference} training rows, computed ${d.computedAt}.`;
  const detail = rows.length === 0 ? '<p class="muted">No feature drifted, shifted or left its training range.</p>' : table(['Feature', 'test', 'statistic', 'p (Bonferroni)', 'PSI', 'out of range', ''], rows);
  return `<p>${esc(summary)}</p>${detail}`;
}

function review(): string {
  return `<p>Reviewed for the intended use above.</p><table class="sign"><tbody>${['Name', 'Role', 'Date', 'Signature'].map((k) => `<tr><th>${k}</th><td></td></tr>`).join('')}</tbody></table>`;
}
