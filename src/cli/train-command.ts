import type { Application } from '../app/application.js';
import type { StartedTraining, TrainRequest, TrainResult } from '../app/trainings.js';
import type { ClassificationMetrics } from '../core/classification-metrics.js';
import type { GridSearchResult } from '../core/grid-search.js';
import type { MonitoredMetric } from '../core/monitored-metric.js';
import { metricName } from '../core/monitored-metric.js';
import type { ModelSummary } from '../store/model-repository.js';
import { exitCodes } from './exit-codes.js';
import { progressBar, Terminal } from './terminal.js';

/** Draws the grid-search progress (with an ETA) on a terminal by following the run's progress in the store. */
function followProgress(app: Application, runId: number, stream: NodeJS.WriteStream): () => void {
  const bar = progressBar(stream, 'grid search', 'fits');
  if (!stream.isTTY) return () => undefined;
  const timer = setInterval(() => {
    void app.runs.get(runId).then((run) => {
      if (run.progressTotal) bar.update(run.progressDone ?? 0, run.progressTotal);
    });
  }, 200);
  return () => {
    clearInterval(timer);
    bar.stop();
  };
}

/** Waits for a training, with its progress on stderr unless the output is JSON. */
export async function awaitTraining(app: Application, started: StartedTraining, json: boolean | undefined): Promise<TrainResult> {
  const stop = json ? () => undefined : followProgress(app, started.run.id, process.stderr);
  try {
    return await started.done;
  } finally {
    stop();
  }
}

/** `mloop train`: one training with the configuration's parameters, or those given (`--mode --C --gamma --cv`). */
export async function trainCommand(app: Application, options: TrainRequest & { json?: boolean }): Promise<TrainResult> {
  const { json, ...request } = options;
  const result = await awaitTraining(app, await app.trainings.start(request, 'cli'), json);
  const model = await app.registry.get(result.model.version);
  if (json) {
    const grid = model.gridSearch as GridSearchResult | null;
    process.stdout.write(`${JSON.stringify({ version: model.version, status: model.status, gateVerdict: model.gateVerdict, servingStatus: model.servingStatus, activated: result.activated, gateReason: result.gateReason, mode: model.mode, params: model.params, snapshotId: model.snapshotId, trainingMs: model.trainingMs, gridSearch: grid, metrics: model.metrics as ClassificationMetrics, report: model.reportText, monitored: verdictOf(model) }, null, 2)}\n`);
  } else {
    process.stdout.write(trainingSummary(model, result, app.config.dataset.positive, new Terminal(process.stdout)));
  }
  setTrainingExitCode(model);
  return result;
}

/** Exit code 3 tells a script the training worked but the promotion gate rejected the version. */
export function setTrainingExitCode(model: Pick<ModelSummary, 'gateVerdict'>): void {
  if (model.gateVerdict === 'rejected') process.exitCode = exitCodes.rejected;
}

/** What `mloop train` and `mloop run train` print: the version, the grid search, the report, the verdict. */
export function trainingSummary(model: ModelSummary, result: TrainResult, positive: string, term: Terminal, heading?: string): string {
  const grid = model.gridSearch as GridSearchResult | null;
  const verdict = verdictOf(model);
  const lines = [heading ?? `model v${model.version} (${model.mode}) trained on snapshot ${model.snapshotId} in ${model.trainingMs} ms`];
  if (result.newSnapshot) lines.push(`new data snapshot taken first: ${result.newSnapshot}`);
  if (grid && heading === undefined) lines.push(`grid search: best C=${grid.bestParams.C}, gamma=${grid.bestParams.gamma} (mean ${grid.cv}-fold CV accuracy ${grid.bestScore.toFixed(4)})`);
  const line = verdictLine(verdict, positive);
  lines.push('', model.reportText.replace(/\n+$/, ''), '', verdict.passed ? term.ok(line) : term.fail(term.paint('red', line)));
  if (result.activated) lines.push(term.ok(term.paint('green', `v${model.version} is now active${result.gateReason ? ` (${result.gateReason})` : ''}`)));
  else lines.push(term.warn(term.paint('yellow', `v${model.version} not activated: ${result.gateReason}`)));
  return `${lines.join('\n')}\n`;
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
