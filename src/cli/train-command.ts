import type { Application } from '../app/application.js';
import type { TrainResult } from '../app/trainings.js';
import type { ClassificationMetrics } from '../core/classification-metrics.js';
import type { GridSearchResult } from '../core/grid-search.js';
import type { TrainingMode } from '../core/model-artifact.js';
import type { MonitoredMetric } from '../core/monitored-metric.js';
import { metricName } from '../core/monitored-metric.js';
import type { ModelSummary } from '../store/model-repository.js';

/** Draws the grid-search progress on a terminal by following the run's progress in the store. */
function followProgress(app: Application, runId: number, stream: NodeJS.WriteStream): () => void {
  if (!stream.isTTY) return () => undefined;
  const width = 30;
  const timer = setInterval(() => {
    void app.runs.get(runId).then((run) => {
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
  const started = await app.trainings.start({ mode: options.mode }, 'cli');
  const stop = options.json ? () => undefined : followProgress(app, started.run.id, process.stderr);
  let result: TrainResult;
  try {
    result = await started.done;
  } finally {
    stop();
  }
  const model = await app.registry.get(result.model.version);
  const metrics = model.metrics as ClassificationMetrics;
  const grid = model.gridSearch as GridSearchResult | null;
  const verdict = verdictOf(model);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ version: model.version, status: model.status, gateVerdict: model.gateVerdict, servingStatus: model.servingStatus, activated: result.activated, gateReason: result.gateReason, mode: model.mode, params: model.params, snapshotId: model.snapshotId, trainingMs: model.trainingMs, gridSearch: grid, metrics, report: model.reportText, monitored: verdict }, null, 2)}\n`);
    return result;
  }
  const lines = [`model v${model.version} (${model.mode}) trained on snapshot ${model.snapshotId} in ${model.trainingMs} ms`];
  if (grid) lines.push(`grid search: best C=${grid.bestParams.C}, gamma=${grid.bestParams.gamma} (mean ${grid.cv}-fold CV accuracy ${grid.bestScore.toFixed(4)})`);
  lines.push('', model.reportText.replace(/\n+$/, ''), '', verdictLine(verdict, app.config.dataset.positive));
  lines.push(result.activated ? `v${model.version} is now active${result.gateReason ? ` (${result.gateReason})` : ''}` : `v${model.version} not activated: ${result.gateReason}`, '');
  process.stdout.write(lines.join('\n'));
  return result;
}

export interface Verdict {
  readonly metric: MonitoredMetric;
  readonly value: number;
  readonly threshold: number;
  readonly passed: boolean;
}

/** A registered model's monitored metric against its threshold. */
export function verdictOf(model: ModelSummary): Verdict {
  return { metric: model.monitoredMetric as MonitoredMetric, value: model.monitoredValue, threshold: model.threshold, passed: model.monitoredValue >= model.threshold };
}

export function verdictLine(e: Verdict, positive: string): string {
  const name = metricName(e.metric, positive);
  return `${name}: ${e.value.toFixed(4)} ${e.passed ? '>=' : '<'} threshold ${e.threshold}: ${e.passed ? 'PASS' : 'BELOW THRESHOLD'}`;
}
