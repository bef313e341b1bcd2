/* global uPlot, ResizeObserver, getComputedStyle */
import { fmt, h } from './dom.js';

const colors = { training: '#2563eb', check: '#7c3aed', live: '#0d9488', threshold: '#dc2626', failed: '#dc2626', firing: 'rgba(220, 38, 38, 0.13)', resolved: 'rgba(100, 116, 139, 0.12)' };
const alertWords = {
  recall_below_threshold: 'recall below threshold',
  model_rejected: 'model rejected',
  job_failed: 'job failed',
  live_recall_below_threshold: 'live recall below threshold',
  data_drift: 'data drift',
  data_source_stale: 'data source stale',
  prediction_log_dropped: 'prediction log rows dropped',
};

const finite = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const seconds = (iso) => Date.parse(iso) / 1000;

/** Tick labels as short as the visible span allows (uPlot's own add a long date line). */
function tickLabels(u, ticks) {
  const span = u.scales.x.max - u.scales.x.min;
  const format =
    span < 600
      ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
      : span < 86_400
        ? { hour: '2-digit', minute: '2-digit' }
        : span < 7 * 86_400
          ? { weekday: 'short', hour: '2-digit', minute: '2-digit' }
          : { month: 'short', day: 'numeric' };
  return ticks.map((t) => new Date(t * 1000).toLocaleString([], format));
}

/**
 * The monitored metric over time with uPlot: trainings (one point per model version) and checks
 * (the active model on the latest data) as two series, the threshold as a dashed step line, and
 * alerts drawn as bands from when they fired until they resolved (or now).
 */
export function createRecallChart(container) {
  let checks = [];
  let alerts = [];
  let now = Date.now() / 1000;
  const empty = h('p', { class: 'chart-empty muted' }, 'No trainings or checks yet.');
  container.append(empty);

  const height = () => (container.clientWidth < 500 ? 220 : 280);

  /** Labels each point with its model version and rings the ones below the threshold. */
  function drawMarks(u) {
    const { ctx } = u;
    // Canvas pixels per CSS pixel, which uPlot keeps on the class rather than the instance.
    const r = uPlot.pxRatio;
    const top = u.bbox.top;
    const bottom = u.bbox.top + u.bbox.height;
    const px = (v) => Math.round(u.valToPos(v, 'x', true));
    ctx.save();
    let drawn = 0;
    // Captions go in up to three rows from the bottom; a caption that fits in none is left out
    // (its band stays, and its alert is in the alerts table) rather than drawn over another.
    const rows = [[], [], []];
    const rowHeight = 14 * r;
    const right = u.bbox.left + u.bbox.width;
    ctx.font = `${11 * r}px system-ui, sans-serif`;
    ctx.textBaseline = 'bottom';
    for (const a of alerts) {
      const from = Math.max(px(seconds(a.startsAt)), u.bbox.left);
      const to = Math.min(px(a.endsAt ? seconds(a.endsAt) : now), right);
      if (to < u.bbox.left || from > right) continue;
      drawn++;
      // A short alert still gets a band one can see and point at, not a hairline.
      const width = Math.max(to - from, 8 * r);
      ctx.fillStyle = a.status === 'firing' ? colors.firing : colors.resolved;
      ctx.fillRect(Math.min(from, right - width), top, width, bottom - top);
      ctx.fillStyle = a.status === 'firing' ? colors.failed : '#64748b';
      ctx.fillRect(from, top, 2 * r, bottom - top);
      const label = `⚠ ${alertWords[a.name] ?? a.name}${a.status === 'resolved' ? ' (resolved)' : ''}`;
      const textWidth = ctx.measureText(label).width;
      // A band that starts near the right edge (an alert that just fired) is named leftwards.
      const x0 = from + 5 * r + textWidth <= right ? from + 5 * r : right - 4 * r - textWidth;
      const x1 = x0 + textWidth;
      const row = rows.findIndex((taken) => taken.every(([l, rr]) => x1 + 6 * r < l || x0 > rr + 6 * r));
      if (row < 0) continue;
      rows[row].push([x0, x1]);
      ctx.textAlign = 'left';
      ctx.fillText(label, x0, bottom - 4 * r - row * rowHeight);
    }
    // What was drawn, readable from the DOM (a canvas is not): the browser tests check it.
    container.dataset.alerts = String(drawn);

    // The threshold across the whole width (a series would only span the points), stepping where
    // the configuration changed it.
    if (checks.length > 0) {
      const py = (v) => Math.round(u.valToPos(v, 'y', true));
      let t = checks[0].threshold;
      ctx.strokeStyle = colors.threshold;
      ctx.lineWidth = 1.5 * r;
      ctx.setLineDash([6 * r, 4 * r]);
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, py(t));
      checks.forEach((c, i) => {
        if (c.threshold === t) return;
        const x = px(u.data[0][i]);
        ctx.lineTo(x, py(t));
        ctx.lineTo(x, py(c.threshold));
        t = c.threshold;
      });
      ctx.lineTo(u.bbox.left + u.bbox.width, py(t));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = colors.threshold;
      ctx.font = `${10 * r}px system-ui, sans-serif`;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      ctx.fillText(`threshold ${t}`, u.bbox.left + u.bbox.width - 4 * r, py(t) + 3 * r);
    }

    ctx.font = `${10 * r}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    const labelled = [];
    const clashes = (x, y, w) => labelled.some((p) => Math.abs(p.x - x) < (p.w + w) / 2 + 4 * r && Math.abs(p.y - y) < 12 * r);
    checks.forEach((c, i) => {
      if (finite(c.value) === null) return;
      const x = px(u.data[0][i]);
      const y = Math.round(u.valToPos(c.value, 'y', true));
      if (!c.passed) {
        ctx.strokeStyle = colors.failed;
        ctx.lineWidth = 2 * r;
        ctx.beginPath();
        ctx.arc(x, y, 7 * r, 0, 2 * Math.PI);
        ctx.stroke();
      }
      // Name the version at its first point, above it or else below it, never on another label.
      const first = i === 0 || checks[i - 1].modelVersion !== c.modelVersion;
      if (!first) return;
      const text = `v${c.modelVersion}`;
      const w = ctx.measureText(text).width;
      const above = y - 8 * r;
      const below = y + 20 * r;
      const at = !clashes(x, above, w) ? above : !clashes(x, below, w) && below < bottom ? below : null;
      if (at === null) return;
      ctx.fillStyle = '#334155';
      ctx.fillText(text, Math.min(Math.max(x, u.bbox.left + w / 2), right - w / 2), at);
      labelled.push({ x, y: at, w });
    });
    ctx.restore();
  }

  /**
   * Time from the first point (or alert) to now, so a stale last check shows as a gap on the right.
   * From the data itself: for a single point uPlot proposes a span of 1000 days.
   */
  function xRange() {
    let lo = checks.length > 0 ? seconds(checks[0].createdAt) : now;
    const hi = Math.max(checks.length > 0 ? seconds(checks[checks.length - 1].createdAt) : now, now);
    for (const a of alerts) lo = Math.min(lo, seconds(a.startsAt));
    if (hi - lo < 60) {
      const mid = (hi + lo) / 2;
      return [mid - 30, mid + 30];
    }
    const pad = (hi - lo) * 0.04;
    return [lo - pad, hi + pad];
  }

  function yRange(_u, min, max) {
    const lo = Math.min(min ?? 1, max ?? 1, ...checks.map((c) => c.threshold));
    return [Math.max(0, Math.floor((lo - 0.05) * 20) / 20), 1.02];
  }

  /**
   * Live values (measured on confirmed diagnoses) join as a third series when the history holds
   * any (`source: 'live'`); the series is added then, so the legend does not name an empty one.
   */
  const liveSeries = { label: 'live', stroke: colors.live, width: 2, spanGaps: true, points: { show: true, size: 7, fill: colors.live }, value: (_u, v) => fmt.score(v) };
  let hasLive = false;

  const versionAt = (idx) => (idx == null || !checks[idx] ? '' : ` · v${checks[idx].modelVersion} (${checks[idx].source})`);
  const plot = new uPlot(
    {
      width: Math.max(container.clientWidth, 200),
      height: height(),
      scales: { x: { time: true, range: xRange }, y: { range: yRange } },
      series: [
        { label: 'time', value: (_u, v, _s, idx) => (v == null ? '–' : `${fmt.time(new Date(v * 1000).toISOString())}${versionAt(idx)}`) },
        { label: 'at training', stroke: colors.training, width: 0, paths: () => null, points: { show: true, size: 9, fill: colors.training }, value: (_u, v) => fmt.score(v) },
        { label: 'at check', stroke: colors.check, width: 2, spanGaps: true, points: { show: true, size: 7, fill: colors.check }, value: (_u, v) => fmt.score(v) },
        { label: 'threshold', stroke: colors.threshold, width: 1.5, dash: [6, 4], points: { show: false }, paths: () => null, value: (_u, v) => fmt.score(v) },
      ],
      axes: [
        // Room for the widest label ("Wed 10:57") between ticks, so labels never run together.
        { stroke: getComputedStyle(container).color, values: tickLabels, space: 110 },
        { stroke: getComputedStyle(container).color, values: (_u, vals) => vals.map((v) => v.toFixed(2)), size: 48 },
      ],
      hooks: { draw: [drawMarks] },
      // Names and colours only: a live legend shows "–" for every series until the pointer is on a point.
      legend: { live: false },
    },
    [[], [], [], []],
    container,
  );

  new ResizeObserver(() => plot.setSize({ width: Math.max(container.clientWidth, 200), height: height() })).observe(container);

  return {
    /** `history`: the checks oldest first, as /api/v1/performance/history gives them. */
    update(history, alertList) {
      checks = history;
      alerts = alertList;
      now = Date.now() / 1000;
      empty.hidden = checks.length > 0;
      container.dataset.points = String(checks.length);
      const live = checks.some((c) => c.source === 'live');
      container.dataset.live = String(checks.filter((c) => c.source === 'live').length);
      if (live && !hasLive) plot.addSeries(liveSeries, 4);
      if (!live && hasLive) plot.delSeries(4);
      hasLive = live;
      const data = [
        checks.map((c) => seconds(c.createdAt)),
        checks.map((c) => (c.source === 'training' ? finite(c.value) : null)),
        checks.map((c) => (c.source === 'check' ? finite(c.value) : null)),
        checks.map((c) => c.threshold),
      ];
      if (live) data.push(checks.map((c) => (c.source === 'live' ? finite(c.value) : null)));
      plot.setData(data);
    },
  };
}
