// usage: tsx .tmp-exp/ab.ts ROUNDS SECONDS name=cmd... ; each cmd gets PORT substituted
import { cpuSeconds, freePort, processTree, startServer, stopAll, waitForPrediction } from '../bench/lib/processes.js';
import { runWrk, writeLuaScript } from '../bench/lib/wrk.js';
import { readFileSync } from 'node:fs';
const [rounds, seconds, ...specs] = process.argv.slice(2);
const body = readFileSync('/tmp/exp/body.json', 'utf8').trim();
writeLuaScript('/tmp/exp/ab.lua', body);
const servers = await Promise.all(specs.map(async (spec) => {
  const [name, cmd] = spec.split('=');
  const port = await freePort();
  const parts = cmd.replaceAll('PORT', String(port)).split(' ');
  const server = startServer({ name, command: parts[0], args: parts.slice(1), cpu: '0', logFile: `/tmp/exp/ab-${name}.log`, env: { ...process.env, MLOOP_LOG_LEVEL: 'warn', ...(name.includes('nolog') ? { MLOOP_CONFIG: '/tmp/exp/nolog.json' } : {}) }, cwd: '/work/main' });
  await waitForPrediction(server, `http://127.0.0.1:${port}/api/v1/predict`, body, performance.now(), 120000);
  return { name, server, url: `http://127.0.0.1:${port}/api/v1/predict`, rps: [] as number[], cpu: [] as number[], p99: [] as number[] };
}));
for (const s of servers) await runWrk({ url: s.url, script: '/tmp/exp/ab.lua', connections: 32, seconds: 2, cpu: '1' });
for (let r = 0; r < Number(rounds); r++) for (const s of servers) {
  const pids = processTree(s.server.pid); const c0 = cpuSeconds(pids);
  const res = await runWrk({ url: s.url, script: '/tmp/exp/ab.lua', connections: 32, seconds: Number(seconds), cpu: '1' });
  s.rps.push(res.requestsPerSecond); s.cpu.push((cpuSeconds(pids) - c0) * 1e6 / res.requests); s.p99.push(res.p99Ms);
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const s of servers) console.log(s.name.padEnd(14), 'rps', med(s.rps).toFixed(0).padStart(6), ' cpu µs/req', med(s.cpu).toFixed(1).padStart(6), ' p99', med(s.p99).toFixed(1), ' ratio-to-first', med(s.rps.map((v, i) => v / servers[0].rps[i])).toFixed(2), ' cpu-ratio', med(s.cpu.map((v, i) => v / servers[0].cpu[i])).toFixed(2));
await stopAll();
