/**
 * Grid search, the default grid and folds, on the training split and on the training rows
 * replicated with a little noise: mloop's `fitPipeline` with its TrainingPool (one worker thread
 * per core) against GridSearchCV(make_pipeline(MinMaxScaler(), SVC())) with n_jobs=-1 and 1.
 * Each includes the final refit on all rows. Runs alternate, factor by factor.
 */
import { availableParallelism } from 'node:os';
import type * as LoadConfig from '../../src/config/load-config.js';
import type { GridCandidate } from '../../src/core/grid-search.js';
import type { TrainingParams } from '../../src/core/model-artifact.js';
import type { BenchContext } from '../lib/context.js';
import { noiseScale, replicate, writeMatrix } from '../lib/data.js';
import { importDist } from '../lib/mloop.js';

export async function gridSearchWorkloads(ctx: BenchContext): Promise<void> {
  const { core, report, options, python, data } = ctx;
  const { loadConfig } = await importDist<typeof LoadConfig>('config/load-config.js');
  const { training } = loadConfig(undefined, {});
  const params: TrainingParams = { mode: 'gridsearch', C: training.C, gamma: training.gamma, grid: options.grid ?? training.grid, cv: training.cv, impute: training.impute };
  const threads = availableParallelism();
  const pool = new core.pool.TrainingPool(threads);
  const mloopFit = async (x: typeof data.trainX, y: readonly string[], inline = false) => {
    const t = performance.now();
    const fitted = await core.artifact.fitModel(params, x, y, data.features, inline ? {} : { runGrid: pool.runGrid, fitFinal: pool.fitFinal });
    return { seconds: (performance.now() - t) / 1000, best: fitted.gridSearch?.bestParams as GridCandidate };
  };
  const pythonFit = async (matrix: ReturnType<typeof writeMatrix>, nJobs: number) =>
    (python as NonNullable<typeof python>).peer.call<{ seconds: number; bestParams: GridCandidate }>({ cmd: 'grid', matrix, nJobs, cv: params.cv, grid: params.grid });
  try {
    // Warm-up: worker threads and joblib's worker processes started, code compiled.
    const warm = python ? writeMatrix(ctx.tmp, 'grid-warm', data.trainX, data.trainY) : null;
    await mloopFit(data.trainX, data.trainY);
    if (warm) {
      await pythonFit(warm, -1);
      await pythonFit(warm, 1);
    }
    for (const { factor, runs } of options.gridFactors) {
      const { x, y } = replicate(data.trainX, data.trainY, factor);
      const file = python ? writeMatrix(ctx.tmp, `grid-${factor}`, x, y) : null;
      // mloop on the calling thread (n_jobs=1's peer) at 1× only, and n_jobs=1 up to 4×: at 16×
      // each would add minutes to a run that must stay under ten.
      const withInline = factor === 1;
      const withOneJob = factor <= 4;
      const t = { mloop: [] as number[], inline: [] as number[], all: [] as number[], one: [] as number[] };
      const best = new Set<string>();
      for (let run = 0; run < runs; run++) {
        const m = await mloopFit(x, y);
        t.mloop.push(m.seconds);
        best.add(JSON.stringify(m.best));
        if (withInline) t.inline.push((await mloopFit(x, y, true)).seconds);
        if (file) {
          const all = await pythonFit(file, -1);
          t.all.push(all.seconds);
          best.add(JSON.stringify({ C: all.bestParams.C, gamma: all.bestParams.gamma }));
          if (withOneJob) t.one.push((await pythonFit(file, 1)).seconds);
        }
        ctx.log(`grid search ${factor}× run ${run + 1}/${runs}: mloop ${m.seconds.toFixed(2)} s${file ? `, n_jobs=-1 ${t.all[run].toFixed(2)} s` : ''}${file && withOneJob ? `, n_jobs=1 ${t.one[run].toFixed(2)} s` : ''}`);
      }
      const workload = `grid search ${factor}× (${x.rows} rows, ${params.grid.C.length * params.grid.gamma.length} candidates × ${params.cv} folds)`;
      const same = best.size === 1 ? `best ${[...best][0]}` : `BEST PARAMS DIFFER: ${[...best].join(' vs ')}`;
      report.figure(workload, `mloop, TrainingPool ${threads} threads`, 'wall time', 's', t.mloop, factor === 1 ? same : undefined);
      if (withInline) report.figure(workload, 'mloop, 1 thread', 'wall time', 's', t.inline);
      if (file) {
        report.figure(workload, 'GridSearchCV n_jobs=-1', 'wall time', 's', t.all);
        if (withOneJob) report.figure(workload, 'GridSearchCV n_jobs=1', 'wall time', 's', t.one);
        else report.missing(workload, 'GridSearchCV n_jobs=1', 'wall time', 's', 'not run at this size (time budget)');
      }
      if (factor !== 1) report.notes.push(`grid search ${factor}×: ${same}`);
      report.target(`grid-${factor}x`, `grid search ${factor}× wall time: mloop / GridSearchCV(n_jobs=-1)`, file ? t.mloop.map((v, i) => v / t.all[i]) : null, 1, false, file ? undefined : 'Python comparison skipped');
    }
    report.notes.push(`grid search data: the training rows (${data.trainX.rows}) replicated, every copy after the first with Gaussian noise of ${noiseScale} × each feature's standard deviation (seed 20)`);
  } finally {
    await pool.close();
  }
}
