import { Counter, Histogram, Registry } from 'prom-client';
const registry = new Registry(); const registers = [registry];
const requests = new Counter({ name: 'r', help: 'h', labelNames: ['method', 'route', 'status'], registers });
const duration = new Histogram({ name: 'd', help: 'h', labelNames: ['method', 'route'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60], registers });
const predictions = new Counter({ name: 'p', help: 'h', labelNames: ['class'], registers });
const rc = new Map(), dc = new Map();
const req = { routeOptions: { url: '/api/v1/predict' }, method: 'POST' }, reply = { statusCode: 200, elapsedTime: 0.7 };
function hook() {
  const route = req.routeOptions.url ?? 'unmatched'; const method = req.method;
  const key = `${method} ${route} ${reply.statusCode}`;
  let counter = rc.get(key); if (!counter) { counter = requests.labels(method, route, String(reply.statusCode)); rc.set(key, counter); }
  counter.inc();
  const timerKey = `${method} ${route}`;
  let h = dc.get(timerKey); if (!h) { h = duration.labels(method, route); dc.set(timerKey, h); }
  h.observe(reply.elapsedTime / 1000);
}
const outcome = { predictions: [{ label: 'M' }] };
function count() { const counts = new Map(); for (const p of outcome.predictions) counts.set(p.label, (counts.get(p.label) ?? 0) + 1); for (const [label, n] of counts) predictions.inc({ class: label }, n); }
const pc = predictions.labels('M');
const cases = { hook, count, 'counter child inc': () => pc.inc(), 'hist child observe': () => dc.get('POST /api/v1/predict').observe(0.0007), 'plain ++': () => { plain.n++; } };
const plain = { n: 0 };
for (const [name, f] of Object.entries(cases)) { for (let i = 0; i < 50000; i++) f(); const ts = []; for (let r = 0; r < 7; r++) { const n = 200000; const t = performance.now(); for (let i = 0; i < n; i++) f(); ts.push((performance.now() - t) * 1e6 / n); } ts.sort((a, b) => a - b); console.log(name.padEnd(20), ts[0].toFixed(0), 'ns min', ts[3].toFixed(0), 'ns median'); }
