/* global document */
import { fmt, h, timeEl } from './dom.js';

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
 * Curves in the unit square: each series' `xs`, `ys` in [0, 1] (null points skipped) with its
 * operating point (the model's predictions at its threshold) ringed, axes named. The test split's
 * series is drawn first; the live one (`kind: 'live'`) over it, in its own colour.
 */
function plot({ id, title, series, xLabel, yLabel, diagonal }) {
  const inner = SIZE - 2 * PAD;
  const px = (x) => PAD + x * inner;
  const py = (y) => SIZE - PAD - y * inner;
  const line = ({ xs, ys }) => {
    // Tens of thousands of live points land on a few hundred pixels: one vertex per tenth of a pixel.
    const vertices = [];
    xs.forEach((x, i) => {
      const y = ys[i];
      if (x === null || y === null) return;
      const vertex = `${px(x).toFixed(1)},${py(y).toFixed(1)}`;
      if (vertices.at(-1) !== vertex) vertices.push(vertex);
    });
    return vertices.join(' ');
  };
  const suffix = (kind) => (kind === 'live' ? '-live' : '');
  return svg(
    'svg',
    { id, class: 'curve', viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img', 'aria-label': title },
    svg('title', null, title),
    svg('rect', { x: PAD, y: PAD, width: inner, height: inner, class: 'curve-frame' }),
    diagonal ? svg('line', { x1: px(0), y1: py(0), x2: px(1), y2: py(1), class: 'curve-chance' }) : null,
    series.map((one) => svg('polyline', { points: line(one), class: `curve${suffix(one.kind)}-line` })),
    series.map(({ kind, point }) =>
      point[0] !== null && point[1] !== null ? svg('circle', { cx: px(point[0]), cy: py(point[1]), r: 4, class: `curve${suffix(kind)}-point` }, svg('title', null, `${kind === 'live' ? 'live ' : ''}operating point`)) : null,
    ),
    svg('text', { x: SIZE / 2, y: SIZE - 6, 'text-anchor': 'middle', class: 'curve-axis' }, xLabel),
    svg('text', { x: 10, y: SIZE / 2, 'text-anchor': 'middle', transform: `rotate(-90 10 ${SIZE / 2})`, class: 'curve-axis' }, yLabel),
  );
}

/** Which confirmed cases the live curves rank (GET /api/v1/performance/live's `curvesCases`). */
function liveLegend(curvesCases) {
  const { rows, windowRows, sampled, computedAt } = curvesCases;
  const cases = sampled ? `the ${rows} most recently confirmed of ${windowRows} cases` : `${rows} confirmed case${rows === 1 ? '' : 's'}`;
  return h('span', { class: 'curve-legend-live' }, `live: ${cases}, computed `, timeEl(computedAt));
}

/**
 * The ROC and precision–recall curves of the test split (GET /api/v1/models/{v}'s `curves`): the
 * positive class for two classes, each class against the rest for more, with AUC, average
 * precision and the operating point the model's predictions sit at; and, when `live` (the
 * version's entry of GET /api/v1/performance/live) has them, the same curves over its confirmed
 * cases, drawn on the same charts.
 */
export function curvesView(curves, nameOf, live = null) {
  if (!curves) return h('p', { class: 'muted' }, 'This version was trained before curves were kept.');
  const liveCurves = live?.curves ?? null;
  return h(
    'div',
    { class: 'curves', id: 'curves-view', dataset: liveCurves ? { liveRows: live.curvesCases.rows, liveComputed: live.curvesCases.computedAt } : {} },
    curves.perClass.map((c) => {
      const p = c.operatingPoint;
      const l = liveCurves?.perClass.find((k) => k.label === c.label) ?? null;
      const lp = l?.operatingPoint;
      const series = (roc) => [
        { kind: 'test', xs: roc ? c.roc.fpr : c.precisionRecall.recall, ys: roc ? c.roc.tpr : c.precisionRecall.precision, point: roc ? [p.fpr, p.recall] : [p.recall, p.precision] },
        ...(l ? [{ kind: 'live', xs: roc ? l.roc.fpr : l.precisionRecall.recall, ys: roc ? l.roc.tpr : l.precisionRecall.precision, point: roc ? [lp.fpr, lp.recall] : [lp.recall, lp.precision] }] : []),
      ];
      return h(
        'div',
        { class: 'curve-class', dataset: { label: c.label } },
        h(
          'p',
          null,
          h('strong', null, `${nameOf(c.label)} (${c.label})`),
          ` · ROC AUC ${figure(c.rocAuc)} · average precision ${figure(c.averagePrecision)}`,
          l ? h('span', { class: 'curve-live-areas' }, ` · live: ROC AUC ${figure(l.rocAuc)} · average precision ${figure(l.averagePrecision)}`) : null,
        ),
        h(
          'div',
          { class: 'curve-pair' },
          plot({ id: `roc-${c.label}`, title: `ROC curve of ${c.label}`, series: series(true), xLabel: 'false-positive rate', yLabel: 'recall', diagonal: true }),
          plot({ id: `pr-${c.label}`, title: `precision-recall curve of ${c.label}`, series: series(false), xLabel: 'recall', yLabel: 'precision' }),
        ),
        l ? h('p', { class: 'curve-legend' }, h('span', { class: 'curve-legend-test' }, 'test split'), ' · ', liveLegend(live.curvesCases)) : null,
        h('p', { class: 'help' }, `At decision threshold ${p.threshold} (the ring): recall ${figure(p.recall)}, false-positive rate ${figure(p.fpr)}, precision ${figure(p.precision)}.`),
        lp ? h('p', { class: 'help curve-live-point' }, `Live, at decision threshold ${lp.threshold}: recall ${figure(lp.recall)}, false-positive rate ${figure(lp.fpr)}, precision ${figure(lp.precision)}.`) : null,
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
