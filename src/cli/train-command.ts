import type { Config } from '../config/schema.js';
import { parseDataset } from '../core/dataset.js';
import type { GridProgress, PipelineParams, TrainingMode } from '../core/pipeline.js';
import type { TrainingOutcome } from '../core/training.js';
import { trainAndEvaluate } from '../core/training.js';
import { bundledDatasetPath, readSource } from '../shell/data-source.js';
import { TrainingPool } from '../shell/training-pool.js';

export function pipelineParams(config: Config, mode?: TrainingMode): PipelineParams {
  const t = config.training;
  return { mode: mode ?? t.mode, C: t.C, gamma: t.gamma, grid: t.grid, cv: t.cv };
}

function progressBar(stream: NodeJS.WriteStream): (p: GridProgress) => void {
  if (!stream.isTTY) return () => undefined;
  return ({ done, total }) => {
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    stream.write(`\rgrid search [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} fits`);
    if (done === total) stream.write('\n');
  };
}

export async function trainCommand(config: Config, options: { mode?: TrainingMode; json?: boolean }): Promise<TrainingOutcome> {
  const source = config.dataset.source ?? bundledDatasetPath;
  const { text } = await readSource(source, { timeoutMs: config.dataset.timeoutMs, maxBytes: config.dataset.maxBytes });
  const dataset = parseDataset(text, config.dataset);
  const pool = new TrainingPool();
  try {
    const outcome = await trainAndEvaluate(
      dataset,
      { split: config.split, pipeline: pipelineParams(config, options.mode), positive: config.dataset.positive, monitor: config.monitor },
      { runGrid: pool.runGrid, fitFinal: pool.fitFinal, onProgress: options.json ? undefined : progressBar(process.stderr) },
    );
    process.stdout.write(options.json ? `${JSON.stringify(trainingJson(outcome, source), null, 2)}\n` : trainingText(outcome, source, dataset.y.length, config.dataset.positive));
    return outcome;
  } finally {
    await pool.close();
  }
}

function trainingJson(outcome: TrainingOutcome, source: string) {
  const { pipeline, evaluation } = outcome;
  return {
    source,
    mode: pipeline.mode,
    trainRows: outcome.trainIndices.length,
    testRows: outcome.testIndices.length,
    C: pipeline.svc.params.C,
    gamma: pipeline.svc.params.gamma,
    gammaValue: pipeline.svc.gamma,
    nSupport: pipeline.svc.nSupport,
    gridSearch: pipeline.gridSearch && {
      bestParams: pipeline.gridSearch.bestParams,
      bestScore: pipeline.gridSearch.bestScore,
      candidates: pipeline.gridSearch.candidates.map((c, i) => ({ ...c, meanTestScore: pipeline.gridSearch?.meanTestScore[i], rank: pipeline.gridSearch?.rankTestScore[i] })),
    },
    metrics: evaluation.metrics,
    report: evaluation.reportText,
    monitored: { metric: evaluation.metric, value: evaluation.value, threshold: evaluation.threshold, passed: evaluation.passed },
  };
}

export function verdictLine(e: { metric: string; value: number; threshold: number; passed: boolean }, positive: string): string {
  const name = e.metric === 'recall' ? `recall of ${positive}` : 'macro recall';
  return `${name}: ${e.value.toFixed(4)} ${e.passed ? '>=' : '<'} threshold ${e.threshold}: ${e.passed ? 'PASS' : 'BELOW THRESHOLD'}`;
}

function trainingText(outcome: TrainingOutcome, source: string, rows: number, positive: string): string {
  const { pipeline, evaluation } = outcome;
  const lines = [`mode ${pipeline.mode}: ${rows} rows from ${source} (${outcome.trainIndices.length} train / ${outcome.testIndices.length} test)`];
  if (pipeline.gridSearch) {
    const g = pipeline.gridSearch;
    lines.push(`grid search: best C=${g.bestParams.C}, gamma=${g.bestParams.gamma} (mean ${g.cv}-fold CV accuracy ${g.bestScore.toFixed(4)})`);
  }
  lines.push(`SVC: C=${pipeline.svc.params.C}, gamma=${pipeline.svc.params.gamma} (= ${pipeline.svc.gamma}), support vectors ${pipeline.svc.nSupport.join(' + ')}`);
  lines.push('', evaluation.reportText.replace(/\n+$/, ''), '', verdictLine(evaluation, positive), '');
  return lines.join('\n');
}
