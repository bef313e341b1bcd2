/**
 * The HTTP workloads: single-row predict (32 connections for throughput, 1 for latency), batch
 * predict, the ceiling (bare node:http, bare Fastify), monitoring on vs off, and each server's
 * memory after the load. Every server runs for the whole workload and the wrk measurements
 * alternate between them round by round, so a noisy neighbour slows them alike and each ratio
 * compares measurements of the same round.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { singleRow, testRows } from '../lib/context.js';
import type { Server } from '../lib/processes.js';
import { cpuSeconds, freePort, post, processTree, rssMiB, waitForPrediction } from '../lib/processes.js';
import type { Launch } from '../lib/servers.js';
import { exportBenchModel } from '../lib/onnx-runtime.js';
import { fastapiServer, fastifyBare, flaskServer, mloopServe, mloopVariant, nodeHttp, onnxHttp } from '../lib/servers.js';
import type { WrkResult } from '../lib/wrk.js';
import { median } from '../lib/report.js';
import { runWrk, writeLuaScript } from '../lib/wrk.js';

interface Subject {
  readonly id: string;
  readonly label: string;
  readonly server: Server;
  readonly url: string;
  readonly script: string;
  readonly rowsPerRequest: number;
}

interface Measurement {
  readonly subject: Subject;
  readonly connections: number;
  readonly results: (WrkResult & { readonly cpuUsPerRequest: number })[];
}

async function started(ctx: BenchContext, start: (launch: Launch) => Server): Promise<{ server: Server; port: number }> {
  const port = await freePort();
  return { server: start({ cpu: ctx.pinning.server, logDir: ctx.tmp, port }), port };
}

/**
 * A configuration file that turns prediction logging off, or null when this build of mloop has no
 * such switch (`monitor.logPredictions`): then that overhead is reported as pending, not guessed.
 */
function predictionLogSwitch(ctx: BenchContext): string | null {
  const file = join(ctx.tmp, 'prediction-log-off.json');
  writeFileSync(file, JSON.stringify({ monitor: { logPredictions: false } }));
  try {
    const config = ctx.loadConfig(file) as { monitor: { logPredictions?: unknown } };
    return config.monitor.logPredictions === false ? file : null;
  } catch {
    return null;
  }
}

export async function httpWorkloads(ctx: BenchContext): Promise<void> {
  const { options, report, python } = ctx;
  const row = singleRow(ctx);
  const bodies = {
    api: JSON.stringify({ row }),
    tutorial: JSON.stringify({ data: [row] }),
    batch: JSON.stringify({ rows: testRows(ctx, options.batchRowsHttp) }),
  };
  const scripts = Object.fromEntries(
    Object.entries(bodies).map(([name, body]) => {
      const file = join(ctx.tmp, `${name}.lua`);
      writeLuaScript(file, body);
      return [name, file];
    }),
  ) as Record<keyof typeof bodies, string>;

  const storeFor = (name: string) => {
    const dir = join(ctx.tmp, `store-${name}`);
    cpSync(ctx.store, dir, { recursive: true });
    return dir;
  };
  const servers: { server: Server; port: number; name: string }[] = [];
  const launch = async (name: string, start: (l: Launch) => Server) => {
    const s = { ...(await started(ctx, start)), name };
    servers.push(s);
    return s;
  };
  // Monitoring variants: the same server with metrics and prediction logging each on or off.
  const logOff = predictionLogSwitch(ctx);
  const variants = [
    { id: 'monitoring-on', label: `mloop, metrics on${logOff ? ', prediction log on' : ''}`, metrics: 'on' as const, config: null },
    ...(logOff ? [{ id: 'log-off', label: 'mloop, metrics on, prediction log off', metrics: 'on' as const, config: logOff }] : []),
    { id: 'metrics-off', label: `mloop, metrics off${logOff ? ', prediction log on' : ''}`, metrics: 'off' as const, config: null },
    ...(logOff ? [{ id: 'monitoring-off', label: 'mloop, metrics off, prediction log off', metrics: 'off' as const, config: logOff }] : []),
  ];
  const onnxModel = await exportBenchModel(ctx);
  const [mloop, mloopLogOff, bare, fastify, fastapi, flask, onnx, ...variantServers] = await Promise.all([
    launch('mloop serve', (l) => mloopServe(l, storeFor('serve'))),
    // npm start's server with its one switch flipped: the prediction log's cost in what users run.
    logOff ? launch('mloop serve, prediction log off', (l) => mloopServe(l, storeFor('serve-log-off'), 'mloop-log-off', logOff)) : null,
    launch('node:http', (l) => nodeHttp(l)),
    launch('fastify', (l) => fastifyBare(l)),
    python ? launch('FastAPI/uvicorn (1 worker)', (l) => fastapiServer(l, python.model)) : null,
    python ? launch('Flask/gunicorn (2 sync workers)', (l) => flaskServer(l, python.model)) : null,
    onnxModel ? launch('node:http + ONNX Runtime', (l) => onnxHttp(l, onnxModel.file)) : null,
    ...variants.map((v) => launch(v.label, (l) => mloopVariant(l, storeFor(v.id), v.metrics, v.config, v.id))),
  ]);
  const url = (s: { port: number }, path = '/api/v1/predict') => `http://127.0.0.1:${s.port}${path}`;
  await Promise.all(servers.map((s) => waitForPrediction(s.server, url(s), bodies.api, performance.now(), 120_000)));

  // The same model on both sides: mloop's answer and the Python peer's agree to 1e-9.
  const mloopAnswer = JSON.parse((await post(url(mloop), bodies.api)).body) as { predictions: { label: string; className: string; decision: number }[] };
  const tutorialAnswer = (await post(url(mloop, '/prediction'), bodies.tutorial)).body;
  if (tutorialAnswer !== mloopAnswer.predictions[0].className) throw new Error(`POST /prediction answered ${JSON.stringify(tutorialAnswer)}`);
  for (const peer of [fastapi, flask]) {
    if (!peer) continue;
    const answer = JSON.parse((await post(url(peer), bodies.api)).body) as { predictions: { label: string; decision: number }[] };
    const [a, b] = [mloopAnswer.predictions[0], answer.predictions[0]];
    if (a.label !== b.label || Math.abs(a.decision - b.decision) > 1e-9) throw new Error(`${peer.name} answers ${JSON.stringify(b)}, mloop ${JSON.stringify(a)}: not the same model`);
  }

  const subject = (id: string, label: string, s: { server: Server; port: number }, body: keyof typeof bodies, path = '/api/v1/predict'): Subject => ({
    id,
    label,
    server: s.server,
    url: url(s, path),
    script: scripts[body],
    rowsPerRequest: body === 'batch' ? options.batchRowsHttp : 1,
  });
  const single: Subject[] = [
    subject('mloop-api', 'mloop POST /api/v1/predict', mloop, 'api'),
    subject('mloop-tutorial', 'mloop POST /prediction', mloop, 'tutorial', '/prediction'),
    ...(mloopLogOff ? [subject('mloop-api-log-off', 'mloop POST /api/v1/predict, prediction log off', mloopLogOff, 'api')] : []),
    ...(fastapi ? [subject('fastapi', 'FastAPI/uvicorn', fastapi, 'api')] : []),
    ...(flask ? [subject('flask', 'Flask/gunicorn', flask, 'api')] : []),
    subject('node-http', 'bare node:http (ceiling)', bare, 'api'),
    subject('fastify', 'bare Fastify route', fastify, 'api'),
  ];
  const batch: Subject[] = [
    subject('mloop-api-batch', 'mloop POST /api/v1/predict', mloop, 'batch'),
    ...(fastapi ? [subject('fastapi-batch', 'FastAPI/uvicorn', fastapi, 'batch')] : []),
    ...(flask ? [subject('flask-batch', 'Flask/gunicorn', flask, 'batch')] : []),
    // A reference line, not a peer service: parse, run, answer; no validation, ids, log or metrics.
    ...(onnx ? [subject('onnx-batch', 'node:http + ONNX Runtime (reference)', onnx, 'batch')] : []),
  ];
  const monitoring: Subject[] = variants.map((v, k) => subject(v.id, v.label, variantServers[k] as { server: Server; port: number }, 'api'));
  // For information: the batch, where the log weighs most, with the log off.
  if (mloopLogOff) batch.push(subject('mloop-api-log-off-batch', 'mloop POST /api/v1/predict, prediction log off (for information)', mloopLogOff, 'batch'));

  const c = options.connections;
  const plan: Measurement[] = [
    ...single.map((s) => ({ subject: s, connections: c, results: [] })),
    ...single.map((s) => ({ subject: s, connections: 1, results: [] })),
    ...batch.map((s) => ({ subject: s, connections: c, results: [] })),
    ...monitoring.map((s) => ({ subject: s, connections: c, results: [] })),
  ];

  const measure = async (s: Subject, connections: number, seconds: number) => {
    const pids = processTree(s.server.pid);
    const cpuBefore = cpuSeconds(pids);
    const result = await runWrk({ url: s.url, script: s.script, connections, seconds, cpu: ctx.pinning.load });
    const cpuUsPerRequest = ((cpuSeconds(pids) - cpuBefore) * 1e6) / Math.max(1, result.requests);
    if (result.non2xx > 0) throw new Error(`${s.label}: ${result.non2xx} answers were not 2xx under load (see ${ctx.tmp})`);
    if (result.requests === 0) throw new Error(`${s.label}: no request answered`);
    return { ...result, cpuUsPerRequest };
  };
  for (const s of [...single, ...batch, ...monitoring]) {
    if (options.warmupSeconds > 0) await measure(s, c, options.warmupSeconds);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const m of plan) m.results.push(await measure(m.subject, m.connections, options.wrkSeconds));
    ctx.log(`HTTP round ${round + 1}/${options.rounds} done`);
  }

  const memory = servers.map((s) => {
    const pids = processTree(s.server.pid);
    return { name: s.name, mib: pids.reduce((sum, pid) => sum + rssMiB(pid), 0), processes: pids.length };
  });
  for (const s of servers) await s.server.stop();

  // Figures.
  const find = (id: string, connections: number) => plan.find((m) => m.subject.id === id && m.connections === connections);
  for (const connections of [c, 1]) {
    const workload = connections === 1 ? 'HTTP single row, 1 connection' : `HTTP single row, ${c} connections`;
    for (const s of single) {
      const m = find(s.id, connections) as Measurement;
      report.figure(workload, s.label, 'requests/s', 'req/s', m.results.map((r) => r.requestsPerSecond));
      report.figure(workload, s.label, 'p50', 'ms', m.results.map((r) => r.p50Ms));
      report.figure(workload, s.label, 'p99', 'ms', m.results.map((r) => r.p99Ms));
      if (connections === c) report.figure(workload, s.label, 'server CPU per request', 'µs', m.results.map((r) => r.cpuUsPerRequest));
    }
  }
  for (const s of batch) {
    const m = find(s.id, c) as Measurement;
    const workload = `HTTP batch, ${options.batchRowsHttp} rows/request, ${c} conn.`;
    report.figure(workload, s.label, 'rows/s', 'rows/s', m.results.map((r) => r.requestsPerSecond * s.rowsPerRequest));
    report.figure(workload, s.label, 'p99', 'ms', m.results.map((r) => r.p99Ms));
    report.figure(workload, s.label, 'server CPU per row', 'µs', m.results.map((r) => r.cpuUsPerRequest / s.rowsPerRequest));
  }
  for (const s of monitoring) {
    const m = find(s.id, c) as Measurement;
    report.figure('monitoring overhead', s.label, 'requests/s', 'req/s', m.results.map((r) => r.requestsPerSecond));
    report.figure('monitoring overhead', s.label, 'p99', 'ms', m.results.map((r) => r.p99Ms));
    report.figure('monitoring overhead', s.label, 'server CPU per request', 'µs', m.results.map((r) => r.cpuUsPerRequest));
  }
  if (!logOff) report.missing('monitoring overhead', 'mloop, prediction logging on vs off', 'requests/s', 'req/s', 'pending: this build has no monitor.logPredictions switch');
  for (const m of memory) report.figure('memory after the HTTP load', m.name, 'RSS (VmRSS)', 'MiB', [m.mib], m.processes > 1 ? `${m.processes} processes, summed` : undefined);

  // Targets: ratios of the same round, then their median.
  const perRound = (a: Measurement | undefined, b: Measurement | undefined, f: (x: WrkResult, y: WrkResult) => number) =>
    a && b ? a.results.map((r, i) => f(r, b.results[i])) : null;
  const bestPython = (connections: number): Measurement | undefined => {
    const peers = [find('fastapi', connections), find('flask', connections)].filter((m): m is Measurement => m !== undefined);
    if (peers.length === 0) return undefined;
    // The best peer of each round: a synthetic measurement taking, per round, the faster peer.
    return { subject: peers[0].subject, connections, results: peers[0].results.map((_, i) => peers.map((p) => p.results[i]).sort((x, y) => y.requestsPerSecond - x.requestsPerSecond)[0]) };
  };
  const skipped = python ? undefined : 'Python comparison skipped';
  for (const id of ['mloop-api', 'mloop-tutorial']) {
    const route = id === 'mloop-api' ? '/api/v1/predict' : '/prediction';
    const best = bestPython(c);
    report.target(`${id}-rps-vs-python`, `${route} req/s / best Python (${c} conn.)`, perRound(find(id, c), best, (x, y) => x.requestsPerSecond / y.requestsPerSecond), 5, true, skipped);
    report.target(`${id}-p99-vs-python`, `${route} p99 / best Python's p99 (${c} conn.)`, perRound(find(id, c), best, (x, y) => x.p99Ms / y.p99Ms), 0.2, false, skipped);
    report.target(`${id}-p99-vs-python-1`, `${route} p99 / best Python's p99 (1 conn.)`, perRound(find(id, 1), bestPython(1), (x, y) => x.p99Ms / y.p99Ms), 0.2, false, skipped);
    report.target(`${id}-rps-vs-node`, `${route} req/s / bare node:http (${c} conn.)`, perRound(find(id, c), find('node-http', c), (x, y) => x.requestsPerSecond / y.requestsPerSecond), 0.7, true);
  }
  const [api, node, fast] = [find('mloop-api', c), find('node-http', c), find('fastify', c)];
  if (api && node && fast) {
    const ratios = (m: Measurement) => m.results.map((r, i) => node.results[i].cpuUsPerRequest / r.cpuUsPerRequest);
    report.notes.push(
      `server CPU per request, node:http's / theirs (${c} conn.): mloop /api/v1/predict ${median(ratios(api)).toFixed(2)}, bare Fastify ${median(ratios(fast)).toFixed(2)} (the steadiest view of the ceiling ratio on a busy machine)`,
    );
  }
  const bestBatch = (() => {
    const peers = [find('fastapi-batch', c), find('flask-batch', c)].filter((m): m is Measurement => m !== undefined);
    if (peers.length === 0) return undefined;
    return { subject: peers[0].subject, connections: c, results: peers[0].results.map((_, i) => peers.map((p) => p.results[i]).sort((x, y) => y.requestsPerSecond - x.requestsPerSecond)[0]) };
  })();
  const vsOnnx = perRound(find('mloop-api-batch', c), find('onnx-batch', c), (x, y) => x.requestsPerSecond / y.requestsPerSecond);
  if (vsOnnx) report.notes.push(`batch over HTTP rows/s, mloop POST /api/v1/predict / node:http + ONNX Runtime (reference, no validation, ids, log or metrics): ${median(vsOnnx).toFixed(2)}× (median of per-round ratios)`);
  report.target('batch-http-vs-python', `batch over HTTP rows/s / best Python`, perRound(find('mloop-api-batch', c), bestBatch, (x, y) => x.requestsPerSecond / y.requestsPerSecond), 3, true, skipped);
  const fastapiMemory = memory.find((m) => m.name.startsWith('FastAPI'));
  const mloopMemory = memory.find((m) => m.name === 'mloop serve') as (typeof memory)[number];
  report.target('rss-vs-fastapi', 'RSS: mloop serve / FastAPI (1 worker)', fastapiMemory ? [mloopMemory.mib / fastapiMemory.mib] : null, 1, false, skipped);
  const ratio = (a: string, b: string) => perRound(find(a, c), find(b, c), (x, y) => x.requestsPerSecond / y.requestsPerSecond);
  if (logOff) {
    report.target('monitoring-overhead', 'monitoring on: req/s all on / all off (cost ≤ 10%)', ratio('monitoring-on', 'monitoring-off'), 0.9, true);
    report.target('metrics-overhead', 'metrics: req/s on / off, prediction log off', ratio('log-off', 'monitoring-off'), 0.9, true);
    report.target('prediction-log-overhead', "prediction log: req/s on / off, npm start's server", ratio('mloop-api', 'mloop-api-log-off'), 0.9, true);
    const variantsRatio = ratio('monitoring-on', 'log-off');
    if (variantsRatio) report.notes.push(`prediction log on / off on the monitoring variants (dist/ through tsx, metrics on): ${median(variantsRatio).toFixed(2)} (median of per-round ratios)`);
  } else {
    report.target('metrics-overhead', 'metrics: req/s on / off (cost ≤ 10%)', ratio('monitoring-on', 'metrics-off'), 0.9, true);
    report.pending('prediction-log-overhead', 'prediction log: req/s on / off (cost ≤ 10%)', '≥ 0.9', 'pending: no prediction-logging switch in this build');
  }
}
