/* global document */
import { fmt, h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const SIZE = 180;
const PAD = 28;

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) el.setAttribute(key, String(value));
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

const figure = (v) => (v === null || v === undefined ? 'n/a' : fmt.score(v));

/**
 * One curve in the unit square: `xs`, `ys` in [0, 1] (null points skipped), axes named, and the
 * operating point (the model's predictions at its threshold) marked with a ring.
 */
function plot({ id, title, xs, ys, xLabel, yLabel, point, diagonal }) {
  const inner = SIZE - 2 * PAD;
  const px = (x) => PAD + x * inner;
  const py = (y) => SIZE - PAD - y * inner;
  const points = xs.map((x, i) => [x, ys[i]]).filter(([x, y]) => x !== null && y !== null);
  return svg(
    'svg',
    { id, class: 'curve', viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img', 'aria-label': title },
    svg('title', null, title),
    svg('rect', { x: PAD, y: PAD, width: inner, height: inner, class: 'curve-frame' }),
    diagonal ? svg('line', { x1: px(0), y1: py(0), x2: px(1), y2: py(1), class: 'curve-chance' }) : null,
    svg('polyline', { points: points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' '), class: 'curve-line' }),
    point && point[0] !== null && point[1] !== null ? svg('circle', { cx: px(point[0]), cy: py(point[1]), r: 4, class: 'curve-point' }, svg('title', null, 'operating point')) : null,
    svg('text', { x: SIZE / 2, y: SIZE - 6, 'text-anchor': 'middle', class: 'curve-axis' }, xLabel),
    svg('text', { x: 10, y: SIZE / 2, 'text-anchor': 'middle', transform: `rotate(-90 10 ${SIZE / 2})`, class: 'curve-axis' }, yLabel),
  );
}

/**
 * The ROC and precision–recall curves of the test split (GET /api/v1/models/{v}'s `curves`): the
 * positive class for two classes, each class against the rest for more, with AUC, average
 * precision and the operating point the model's predictions sit at.
 */
export function curvesView(curves, nameOf) {
  if (!curves) return h('p', { class: 'muted' }, 'This version was trained before curves were kept.');
  return h(
    'div',
    { class: 'curves', id: 'curves-view' },
    curves.perClass.map((c) => {
      const p = c.operatingPoint;
      return h(
        'div',
        { class: 'curve-class', dataset: { label: c.label } },
        h('p', null, h('strong', null, `${nameOf(c.label)} (${c.label})`), ` · ROC AUC ${figure(c.rocAuc)} · average precision ${figure(c.averagePrecision)}`),
        h(
          'div',
          { class: 'curve-pair' },
          plot({ id: `roc-${c.label}`, title: `ROC curve of ${c.label}`, xs: c.roc.fpr, ys: c.roc.tpr, xLabel: 'false-positive rate', yLabel: 'recall', point: [p.fpr, p.recall], diagonal: true }),
          plot({ id: `pr-${c.label}`, title: `precision-recall curve of ${c.label}`, xs: c.precisionRecall.recall, ys: c.precisionRecall.precision, xLabel: 'recall', yLabel: 'precision', point: [p.recall, p.precision] }),
        ),
        h('p', { class: 'help' }, `At decision threshold ${p.threshold} (the ring): recall ${figure(p.recall)}, false-positive rate ${figure(p.fpr)}, precision ${figure(p.precision)}.`),
      );
    }),
  );
}

/**
 * Marks `[x, y]` (in the unit square) on a curve drawn by `curvesView` with a point of its own
 * (`id`), moved there if it is drawn already: the threshold editor's what-if point.
 */
export function markCurve(curve, id, [x, y], title) {
  curve.querySelector(`#${id}`)?.remove();
  if (x === null || y === null) return;
  const inner = SIZE - 2 * PAD;
  curve.append(svg('circle', { id, cx: PAD + x * inner, cy: SIZE - PAD - y * inner, r: 4, class: 'curve-what-if' }, svg('title', null, title)));
}

/** The answer's probability of each class as a bar (POST /api/v1/predict's `probabilities`). */
export function probabilityBars(answer, p, nameOf) {
  if (!p.probabilities) return null;
  return h(
    'table',
    { class: 'probabilities', id: 'predict-probabilities' },
    h('caption', null, 'probability of each class (Platt scaling, as scikit-learn’s predict_proba)'),
    h(
      'tbody',
      null,
      answer.classes.map((label) => {
        const value = p.probabilities[label];
        return h(
          'tr',
          { dataset: { label }, class: label === p.label ? 'predicted' : null },
          h('th', { scope: 'row' }, nameOf(label)),
          h('td', null, h('div', { class: 'probability-bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': value, title: String(value) }, h('span', { style: { width: `${(value * 100).toFixed(1)}%` } }))),
          h('td', { class: 'num' }, `${(value * 100).toFixed(1)} %`),
        );
      }),
    ),
  );
}
