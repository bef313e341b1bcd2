/* global document, Node */

/**
 * Builds an element. Text always goes in as text nodes, never as HTML: alert reasons, error
 * messages and data sources come from outside and must not become markup.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    // Through the CSSOM: the page's Content-Security-Policy blocks style attributes.
    else if (key === 'style') for (const [name, v] of Object.entries(value)) el.style.setProperty(name, v);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'disabled') continue;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  // Properties after the attributes: a <progress> clamps its value to the max it has at the time.
  if (props?.value !== undefined && props.value !== null) el.value = props.value;
  if (props?.disabled) el.disabled = true;
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

const svgNs = 'http://www.w3.org/2000/svg';

/**
 * Builds an SVG element, the same way: attributes only (presentation attributes such as `fill`
 * are not styles, so the Content-Security-Policy allows them), text as text nodes.
 */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(svgNs, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export const byId = (id) => document.getElementById(id);

/** Re-renders only when the data changed, so an unchanged poll leaves the page (and a click in progress) alone. */
const rendered = new Map();
export function renderIfChanged(key, data, render) {
  const json = JSON.stringify(data);
  if (rendered.get(key) === json) return;
  rendered.set(key, json);
  render(data);
}

export const fmt = {
  /** 0.979 (three decimals, as the gate compares at full precision the title keeps the rest). */
  score(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : '–';
  },
  signed(v) {
    return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;
  },
  /** Local time, with the date when it is not today. */
  time(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    const today = new Date().toDateString() === d.toDateString();
    return today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  },
  /** 0.4 → "40%"; small non-zero shares keep a decimal so they do not read as 0%. */
  percent(v) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
    const p = v * 100;
    return `${p > 0 && p < 1 ? p.toFixed(1) : Math.round(p)}%`;
  },
  /** `digits` decimals, or four significant digits without trailing zeros. */
  num(v, digits) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
    return digits === undefined ? String(Number(v.toPrecision(4))) : v.toFixed(digits);
  },
  /** A p-value: three decimals, or two significant digits in e-notation when smaller than 0.001. */
  p(v) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
    if (v >= 1) return '1';
    return v >= 0.001 ? v.toFixed(3) : v === 0 ? '0' : v.toExponential(1);
  },
  ms(ms) {
    return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
  },
  duration(fromIso, toIso) {
    return fromIso && toIso ? fmt.ms(Date.parse(toIso) - Date.parse(fromIso)) : '–';
  },
};

/** A timestamp that shows local time and keeps the exact value in its tooltip. */
export const timeEl = (iso) => (iso ? h('time', { datetime: iso, title: iso }, fmt.time(iso)) : '–');

/**
 * A label's display name, from the `classes` the server sends with the active model's performance
 * (the configuration's dataset.classNames); a label without one shows as itself.
 */
export const classNamer = (classes) => (label) => classes?.find((c) => c.label === label)?.name ?? label;

/** A list table; each cell also carries its column's name, which a phone shows in place of the header. */
export function listTable(id, heads, rows, emptyText) {
  if (rows.length === 0) return h('p', { class: 'muted' }, emptyText);
  for (const row of rows) [...row.cells].forEach((cell, i) => (cell.dataset.label = heads[i]));
  return h('table', { class: 'list', id }, h('thead', null, h('tr', null, heads.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, rows));
}

export const badge = (text, kind) => h('span', { class: `badge badge-${kind}` }, text);
