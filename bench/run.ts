/**
 * `npm run bench`: mloop against the Python stack and against what Node itself can do, on this
 * machine, in one run. Prints a table and writes bench/results/<timestamp>.json. See README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as LoadConfig from '../src/config/load-config.js';
import type { BenchContext, PythonSide } from './lib/context.js';
import { loadBenchData, split, writeMatrix } from './lib/data.js';
import { cliPath, importDist, loadCore, repoRoot, wdbcCsv } from './lib/mloop.js';
import { parseOptions } from './lib/options.js';
import { choosePinning, stopAll } from './lib/processes.js';
import { missingPython, PythonPeer } from './lib/python.js';
import { renderReport, Report } from './lib/report.js';
import { wrkVersion } from './lib/wrk.js';
import { coldStart } from './workloads/cold-start.js';
import { gridSearchWorkloads } from './workloads/grid-search.js';
import { httpWorkloads } from './workloads/http.js';
import { inProcessWorkloads } from './workloads/in-process.js';

const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const needsWrk = options.only.has('http');
  const wrk = needsWrk ? wrkVersion() : null; // throws, loudly, when wrk is missing
  const report = new Report();
  const tmp = mkdtempSync(join(tmpdir(), 'mloop-bench-'));
  const pinning = choosePinning();
  report.notes.push(`pinning: ${pinning.description}`);
  report.notes.push('request logging off on every server (mloop MLOOP_LOG_LEVEL=warn, uvicorn --no-access-log, gunicorn default)');
  if (options.smoke) report.notes.push('SMOKE RUN: tiny durations and sizes, no Python; the figures only show that every path works');

  let peer: PythonPeer | null = null;
  try {
    const core = await loadCore();
    const data = loadBenchData(core);
    const { loadConfig } = await importDist<typeof LoadConfig>('config/load-config.js');
    const t = loadConfig(undefined, {}).training;
    const pipeline = await core.artifact.fitModel({ mode: 'normalized', C: t.C, gamma: t.gamma, grid: t.grid, cv: t.cv, impute: t.impute }, data.trainX, data.trainY, data.features);

    // mloop's store, trained once by the CLI: what cold start and the servers open.
    const store = join(tmp, 'store');
    execFileSync(process.execPath, [cliPath, 'train', '--data-dir', store, '--json'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MLOOP_LOG_LEVEL: 'warn' } });

    let python: PythonSide | null = null;
    let versions: Record<string, unknown> | null = null;
    if (options.python) {
      const missing = missingPython();
      if (missing) report.notes.push(`Python comparison SKIPPED: ${missing}`);
      else {
        peer = new PythonPeer();
        const { ok: _ok, ...found } = await peer.call<Record<string, unknown>>({ cmd: 'versions' });
        versions = found;
        const model = join(tmp, 'sklearn-model.pickle');
        const trained = await peer.call<{ sameSplit: boolean; nSupport: number[]; testDecisions: number[] }>({
          cmd: 'train',
          csv: wdbcCsv,
          testSize: split.testSize,
          randomState: split.randomState,
          trainMatrix: writeMatrix(tmp, 'train', data.trainX),
          out: model,
        });
        if (!trained.sameSplit) throw new Error("scikit-learn's train_test_split and mloop's picked different training rows");
        const ours = core.predictor.predict(pipeline, data.testX).decision;
        const worst = trained.testDecisions.reduce((m, d, i) => Math.max(m, Math.abs(d - ours[i])), 0);
        if (worst > 1e-9 || trained.testDecisions.length !== ours.length) throw new Error(`scikit-learn's model and mloop's differ (decision values up to ${worst} apart)`);
        report.notes.push(`same model on both sides: ${trained.nSupport.join(' + ')} support vectors, test-split decision values within ${worst.toExponential(1)}`);
        python = { peer, model };
      }
    } else report.notes.push('Python comparison skipped (--no-python or smoke run)');

    const ctx: BenchContext = { options, report, tmp, pinning, core, data, pipeline, store, python, log, loadConfig: (file) => loadConfig(file, {}) };
    if (options.only.has('cold-start')) {
      log('cold start');
      await coldStart(ctx);
    }
    if (options.only.has('http')) {
      log('HTTP');
      await httpWorkloads(ctx);
    }
    if (options.only.has('in-process')) {
      log('in-process batch prediction');
      await inProcessWorkloads(ctx);
    }
    if (options.only.has('grid-search')) {
      log('grid search');
      await gridSearchWorkloads(ctx);
    }

    const seconds = (performance.now() - started) / 1000;
    report.notes.push(`total wall time ${seconds.toFixed(0)} s`);
    const text = renderReport(report);
    process.stdout.write(`\n${text}\n`);
    const results = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(results, { recursive: true });
    const file = join(results, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
          wallSeconds: seconds,
          options: { ...options, only: [...options.only] },
          machine: { cpus: cpus().map((c) => c.model), totalMemMiB: Math.round(totalmem() / 2 ** 20), freeMemMiB: Math.round(freemem() / 2 ** 20), node: process.version, wrk, python: versions },
          mloop: { version: pkg.version },
          figures: report.figures,
          targets: report.targets,
          notes: report.notes,
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`\nresults: ${file}\n`);
    if (options.smoke) {
      const broken = report.figures.filter((f) => f.value === null && !f.note?.startsWith('pending'));
      if (broken.length > 0) throw new Error(`smoke run: no figure for ${broken.map((f) => `${f.workload} / ${f.subject}`).join(', ')}`);
    }
  } finally {
    await stopAll();
    await peer?.close();
    if (options.keepTemp) log(`temporary files kept in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch(async (error: unknown) => {
  await stopAll();
  process.stderr.write(`\nBENCH FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
