import type { Application } from '../app/application.js';
import type { TrainResult } from '../app/trainings.js';
import type { ClassificationMetrics } from '../core/classification-metrics.js';
import type { GridSearchResult } from '../core/grid-search.js';
import type { TrainingMode } from '../core/pipeline.js';

/** Draws the grid-search progress on a terminal by following the run's progress in the store. */
function followProgress(app: Application, runId: number, stream: NodeJS.WriteStream): () => void {
  if (!stream.isTTY) return () => undefined;
  const width = 30;
  const timer = setInterval(() => {
    void app.run(runId).then((run) => {
      if (!run.progressTotal) return;
      const filled = Math.round(((run.progressDone ?? 0) / run.progressTotal) * width);
      stream.write(`\rgrid search [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${run.progressDone}/${run.progressTotal} fits`);
    });
  }, 100);
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[K');
  };
}

export async function trainCommand(app: Application, options: { mode?: TrainingMode; json?: boolean }): Promise<TrainResult> {
  const started = await app.startTraining({ mode: options.mode }, 'cli');
  const stop = options.json ? () => undefined : followProgress(app, started.run.id, process.stderr);
  let result: TrainResult;
  try {
    result = await started.done;
  } finally {
    stop();
  }
  const model = await app.model(result.model.version);
  const metrics = model.metrics as ClassificationMetrics;
  const grid = model.gridSearch as GridSearchResult | null;
  const verdict = { metric: model.monitoredMetric, value: model.monitoredValue, threshold: model.threshold, passed: model.monitoredValue >= model.threshold };
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ version: model.version, status: model.status, activated: result.activated, gateReason: result.gateReason, mode: model.mode, params: model.params, snapshotId: model.snapshotId, trainingMs: model.trainingMs, gridSearch: grid, metrics, report: model.reportText, monitored: verdict }, null, 2)}\n`);
    return result;
  }
  const lines = [`model v${model.version} (${model.mode}) trained on snapshot ${model.snapshotId} in ${model.trainingMs} ms`];
  if (grid) lines.push(`grid search: best C=${grid.bestParams.C}, gamma=${grid.bestParams.gamma} (mean ${grid.cv}-fold CV accuracy ${grid.bestScore.toFixed(4)})`);
  lines.push('', model.reportText.replace(/\n+$/, ''), '', verdictLine(verdict, app.config.dataset.positive));
  lines.push(result.activated ? `v${model.version} is now active${result.gateReason ? ` (${result.gateReason})` : ''}` : `v${model.version} not activated: ${result.gateReason}`, '');
  process.stdout.write(lines.join('\n'));
  return result;
}

export function verdictLine(e: { metric: string; value: number; threshold: number; passed: boolean }, positive: string): string {
  const name = e.metric === 'recall' ? `recall of ${positive}` : 'macro recall';
  return `${name}: ${e.value.toFixed(4)} ${e.passed ? '>=' : '<'} threshold ${e.threshold}: ${e.passed ? 'PASS' : 'BELOW THRESHOLD'}`;
}
