/* global CSS, MutationObserver, setTimeout, clearTimeout */
import { call, getJson } from './api.js';
import { markCurve } from './decision-curves.js';
import { fill, fmt, h } from './dom.js';
import { askReason } from './reason-dialog.js';

/**
 * The curves card's threshold control: as an admin moves the decision threshold of a two-class
 * version, the server says what it would give on the test split and on the live confirmed cases
 * (GET /api/v1/models/{v}/threshold?at=X), the page marks that point on the ROC and PR curves, and
 * "Save as new version" makes it a version of its own (POST /api/v1/models/{v}/threshold), which
 * the promotion gate judges; its verdict is shown here. The page computes no figure itself.
 */

const DEBOUNCE_MS = 120;

const figureRows = [
  ['recall', 'recall'],
  ['specificity', 'specificity'],
  ['precision', 'precision'],
  ['accuracy', 'accuracy'],
];

/** The finite thresholds of the positive class's ROC curve: the range the control spans. */
function thresholdRange(curve) {
  const finite = curve.roc.thresholds.filter((t) => typeof t === 'number' && Number.isFinite(t));
  if (finite.length === 0) return null;
  const [min, max] = [Math.min(...finite), Math.max(...finite)];
  const margin = (max - min) * 0.02 || 0.1;
  return { min: min - margin, max: max + margin };
}

/** One column of figures: the test split's or the live cases'. */
function figuresColumn(figures, which) {
  if (figures.rows === 0) return { which, cells: figureRows.map(() => '–'), counts: 'no rows' };
  const [negative] = figures.labels.filter((l) => l !== figures.positive);
  const p = figures.labels.indexOf(figures.positive);
  const n = figures.labels.indexOf(negative);
  const cm = figures.confusionMatrix;
  return {
    which,
    cells: figureRows.map(([key]) => (figures[key] === null ? 'n/a' : fmt.score(figures[key]))),
    counts: `TP ${cm[p][p]} · FN ${cm[p][n]} · FP ${cm[n][p]} · TN ${cm[n][n]} of ${figures.rows}`,
  };
}

/** Until the first answer: the same table with its cells waiting, so that nothing below it moves when the figures arrive. */
const waiting = (which) => ({ which, cells: figureRows.map(() => '…'), counts: '…' });

function figuresTable(whatIf, nameOf) {
  const columns = whatIf ? [figuresColumn(whatIf.testSplit, 'testSplit'), figuresColumn(whatIf.live, 'live')] : [waiting('testSplit'), waiting('live')];
  const heads = whatIf ? [`test split (snapshot ${whatIf.testSplit.snapshotId})`, `live, ${whatIf.live.window}`] : ['test split', 'live'];
  return h(
    'table',
    { class: 'threshold-figures', id: whatIf ? 'threshold-figures' : 'threshold-figures-waiting', dataset: { threshold: whatIf ? String(whatIf.threshold) : null } },
    h('caption', null, whatIf ? `At threshold ${fmt.num(whatIf.threshold, 4)} for ${nameOf(whatIf.positive)} (${whatIf.positive})` : 'Asking the server…'),
    h('thead', null, h('tr', null, h('th', null, ''), heads.map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      null,
      figureRows.map(([key, words], i) => h('tr', { dataset: { figure: key } }, h('th', { scope: 'row' }, words), columns.map((c) => h('td', { class: 'num', dataset: { rows: c.which } }, c.cells[i])))),
      h('tr', { dataset: { figure: 'counts' } }, h('th', { scope: 'row' }, 'cases'), columns.map((c) => h('td', { dataset: { rows: c.which } }, c.counts))),
    ),
  );
}

/**
 * `container`: where the control goes; `curves`: the element the curves are drawn in (redrawn by
 * the page at will: the what-if point is put back each time); `onSaved`: after a save.
 */
export function createThresholdEditor(container, { curves, onSaved }) {
  let model = null;
  let key = null;
  let whatIf = null;
  let asked = 0;
  let timer = null;
  const verdict = h('p', { id: 'threshold-verdict', class: 'help' });

  function markPoints() {
    if (!model || !whatIf || whatIf.version !== model.version) return;
    const t = whatIf.testSplit;
    const roc = curves.querySelector(`#roc-${CSS.escape(whatIf.positive)}`);
    const pr = curves.querySelector(`#pr-${CSS.escape(whatIf.positive)}`);
    const title = `at threshold ${whatIf.threshold}`;
    if (roc) markCurve(roc, 'roc-what-if', [t.specificity === null ? null : 1 - t.specificity, t.recall], title);
    if (pr) markCurve(pr, 'pr-what-if', [t.recall, t.precision], title);
  }
  // The page redraws the curves when its data changes: the point goes back on.
  new MutationObserver(() => markPoints()).observe(curves, { childList: true });

  async function ask(threshold) {
    const mine = ++asked;
    const version = model.version;
    try {
      const answer = await getJson(`api/v1/models/${version}/threshold?at=${encodeURIComponent(threshold)}`);
      if (mine !== asked || model?.version !== version) return;
      whatIf = answer;
      fill(container.querySelector('#threshold-what-if'), figuresTable(answer, model.nameOf));
      container.querySelector('#threshold-save').disabled = answer.threshold === answer.current.threshold;
      markPoints();
    } catch (error) {
      if (mine === asked) fill(container.querySelector('#threshold-what-if'), h('p', { class: 'bad' }, `What-if failed: ${error.message}`));
    }
  }

  function moved(value, from) {
    const threshold = Number(value);
    if (!Number.isFinite(threshold)) return;
    if (from !== 'range') container.querySelector('#threshold-range').value = String(threshold);
    if (from !== 'number') container.querySelector('#threshold-value').value = String(Number(threshold.toFixed(4)));
    clearTimeout(timer);
    timer = setTimeout(() => void ask(Number(container.querySelector('#threshold-value').value)), DEBOUNCE_MS);
  }

  async function save() {
    const threshold = whatIf.threshold;
    const version = model.version;
    const answer = await askReason({
      title: `Save v${version} at threshold ${threshold}?`,
      message: `A new version with v${version}'s fit and decision threshold ${threshold} (was ${whatIf.current.threshold}). The promotion gate judges it against the serving model on the same held-out rows. Say why (it goes to the audit log).`,
      confirm: 'Save',
    });
    if (answer === null) return;
    const button = container.querySelector('#threshold-save');
    button.disabled = true;
    verdict.textContent = 'Saving…';
    try {
      const saved = await call(`api/v1/models/${version}/threshold`, { body: { threshold, reason: answer.reason } });
      verdict.dataset.verdict = saved.model.gateVerdict;
      verdict.className = saved.model.gateVerdict === 'passed' ? 'help good' : 'help bad';
      fill(verdict, h('strong', null, `v${saved.model.version} ${saved.model.gateVerdict}`), saved.activated ? ' · now serving' : '', saved.gateReason ? `: ${saved.gateReason}` : '');
      onSaved(saved);
    } catch (error) {
      verdict.dataset.verdict = 'error';
      verdict.className = 'help bad';
      verdict.textContent = error.name === 'Cancelled' ? 'Cancelled: nothing saved.' : `Saving failed: ${error.message}`;
      button.disabled = false;
    }
  }

  return {
    /** `next`: { version, curves, positive, nameOf } of the active version, or null. */
    setModel(next) {
      const curve = next && next.curves?.perClass.length === 1 ? next.curves.perClass[0] : null;
      const range = curve && curve.label === next.positive ? thresholdRange(curve) : null;
      const nextKey = JSON.stringify(range && [next.version, range]);
      model = range ? next : null;
      if (nextKey === key) return;
      key = nextKey;
      whatIf = null;
      clearTimeout(timer);
      if (!range) {
        fill(container, next ? h('p', { class: 'muted' }, 'A threshold can be moved on a model of two classes with curves.') : null);
        return;
      }
      const current = curve.operatingPoint.threshold;
      fill(
        container,
        h('h3', null, 'Try another threshold'),
        h(
          'div',
          { class: 'threshold-control' },
          h('label', { for: 'threshold-range' }, `decision threshold of ${next.nameOf(next.positive)}`),
          h('input', { type: 'range', id: 'threshold-range', min: range.min, max: range.max, step: 'any', value: current, oninput: (e) => moved(e.target.value, 'range') }),
          h('input', { type: 'number', id: 'threshold-value', step: '0.01', value: current, 'aria-label': 'decision threshold', onchange: (e) => moved(e.target.value, 'number') }),
          h('button', { type: 'button', id: 'threshold-save', disabled: true, onclick: () => void save() }, 'Save as new version'),
        ),
        h('p', { class: 'help' }, `v${next.version} applies ${current}; the orange point is where the threshold chosen here falls on the test split's curves. The figures are the server's.`),
        h('div', { id: 'threshold-what-if' }, figuresTable(null, next.nameOf)),
        // The last save's verdict stays: a version that passed becomes the one shown here.
        verdict,
      );
      void ask(current);
    },
  };
}
