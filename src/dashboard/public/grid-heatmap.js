import { fmt, h } from './dom.js';

/** Viridis at five stops: ordered in lightness, readable in grey, safe for colour-blind readers. */
const stops = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function color(t) {
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  const rgb = stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * f));
  const light = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] > 140;
  return { background: `rgb(${rgb.join(',')})`, color: light ? '#111827' : '#ffffff' };
}

/** Values in the order they first appear in the candidates: the order of the configured grid. */
function axis(candidates, key) {
  const seen = [];
  for (const c of candidates) if (!seen.includes(c[key])) seen.push(c[key]);
  return seen;
}

/**
 * Mean cross-validated accuracy per (C, γ) as a table of coloured cells: rows C, columns γ,
 * the best candidate (the one refitted) outlined.
 */
export function gridHeatmap(gridSearch, version) {
  const { candidates, meanTestScore, stdTestScore, rankTestScore, bestIndex, cv } = gridSearch;
  const cs = axis(candidates, 'C');
  const gammas = axis(candidates, 'gamma');
  const finite = meanTestScore.filter((s) => Number.isFinite(s));
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const at = new Map(candidates.map((c, i) => [`${c.C}|${c.gamma}`, i]));

  const cell = (C, gamma) => {
    const i = at.get(`${C}|${gamma}`);
    if (i === undefined) return h('td', { class: 'heat-cell' }, '');
    const score = meanTestScore[i];
    const { background, color: text } = color(hi > lo ? (score - lo) / (hi - lo) : 1);
    const best = i === bestIndex;
    return h(
      'td',
      { class: `heat-cell${best ? ' heat-best' : ''}`, style: { background, color: text }, title: `C=${C}, γ=${gamma}: mean accuracy ${score} ± ${stdTestScore?.[i] ?? '?'} (rank ${rankTestScore[i]})`, dataset: { rank: rankTestScore[i] } },
      fmt.score(score),
      best ? h('span', { class: 'heat-star', 'aria-label': 'best' }, ' ★') : null,
    );
  };

  const best = candidates[bestIndex];
  return h(
    'div',
    { class: 'heatmap' },
    h('p', { class: 'help' }, `Mean ${cv}-fold cross-validated accuracy of each candidate on the training rows (model v${version}). ★ the best, which was refitted on all training rows.`),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'heat-table', id: 'heatmap-table' },
        h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'heat-corner' }, 'C \\ γ'), gammas.map((g) => h('th', { scope: 'col' }, String(g))))),
        h('tbody', null, cs.map((C) => h('tr', null, h('th', { scope: 'row' }, String(C)), gammas.map((g) => cell(C, g))))),
      ),
    ),
    h('p', { class: 'heat-best-text' }, 'Best: ', h('strong', null, `C = ${best.C}, γ = ${best.gamma}`), ` · mean accuracy ${fmt.score(meanTestScore[bestIndex])}`),
    h('div', { class: 'heat-scale', 'aria-hidden': 'true' }, h('span', null, fmt.score(lo)), h('span', { class: 'heat-gradient' }), h('span', null, fmt.score(hi))),
  );
}
