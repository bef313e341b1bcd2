/**
 * Cold start: from launching the server on an existing store (or, for the Python peers, a pickled
 * model) to its first successful prediction. The launches of the servers alternate, run by run.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { singleRow } from '../lib/context.js';
import type { Server } from '../lib/processes.js';
import { cpuSeconds, freePort, processTree, waitForPrediction } from '../lib/processes.js';
import type { Launch } from '../lib/servers.js';
import { fastapiServer, flaskServer, mloopServe } from '../lib/servers.js';

interface Contender {
  readonly name: string;
  readonly start: (launch: Launch) => Server;
  readonly times: number[];
  /** CPU seconds the server's processes had used when the first prediction came back. */
  readonly cpu: number[];
}

export async function coldStart(ctx: BenchContext): Promise<void> {
  const body = JSON.stringify({ row: singleRow(ctx) });
  const dataDir = join(ctx.tmp, 'cold-start-store');
  cpSync(ctx.store, dataDir, { recursive: true });
  const contenders: Contender[] = [{ name: 'mloop serve', start: (launch) => mloopServe(launch, dataDir, 'mloop-cold'), times: [], cpu: [] }];
  const python = ctx.python;
  if (python) {
    contenders.push({ name: 'FastAPI/uvicorn', start: (launch) => fastapiServer(launch, python.model), times: [], cpu: [] });
    contenders.push({ name: 'Flask/gunicorn', start: (launch) => flaskServer(launch, python.model), times: [], cpu: [] });
  }
  for (let run = 0; run < ctx.options.coldStartRuns; run++) {
    for (const c of contenders) {
      const port = await freePort();
      const startedAt = performance.now();
      const server = c.start({ cpu: ctx.pinning.server, logDir: ctx.tmp, port });
      try {
        c.times.push(await waitForPrediction(server, `http://127.0.0.1:${port}/api/v1/predict`, body, startedAt, 120_000));
        c.cpu.push(cpuSeconds(processTree(server.pid)) * 1000);
      } finally {
        await server.stop();
      }
    }
    ctx.log(`cold start run ${run + 1}: ${contenders.map((c) => `${c.name} ${c.times[run].toFixed(0)} ms`).join(', ')}`);
  }
  const { report } = ctx;
  for (const c of contenders) {
    report.figure('cold start', c.name, 'launch → first prediction', 'ms', c.times);
    report.figure('cold start', c.name, 'server CPU until then', 'ms', c.cpu);
  }
  const [mloop, ...peers] = contenders;
  if (peers.length === 0) {
    report.pending('cold-start', 'cold start vs Python servers', '≤ 0.5', 'Python comparison skipped');
    return;
  }
  for (const peer of peers) {
    report.target(`cold-start-${peer.name}`, `cold start: mloop / ${peer.name}`, mloop.times.map((t, i) => t / peer.times[i]), 0.5, false);
  }
}
