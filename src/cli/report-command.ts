import type { Application } from '../app/application.js';
import type { DecisionCurves } from '../core/metrics/decision-curves.js';
import { storedCurves } from '../core/metrics/decision-curves.js';
import { NotTrainedError } from '../app/errors.js';
import type { LiveReportWithCurves } from '../app/monitoring.js';
import type { GridSearchResult } from '../core/grid-search.js';
import type { TrainingParams } from '../core/model-artifact.js';
import type { MonitoredMetric } from '../core/monitored-metric.js';
import { metricName } from '../core/monitored-metric.js';
import type { ModelSummary } from '../store/model-repository.js';
import { Terminal, writeList } from './terminal.js';
import { verdictLine, verdictOf } from './train-command.js';

const noModelYet = 'no model has been trained in this store yet: run `mloop train` (or `mloop serve`, which trains one on its first start)';

/** The version that serves; before the first training, or when none serves, an error that says what to run. */
function servingSummary(app: Application): ModelSummary {
  try {
    return app.registry.require().summary;
  } catch (error) {
    if (error instanceof NotTrainedError) throw new NotTrainedError(noModelYet);
    throw error;
  }
}

export async function reportCommand(app: Application, options: { history?: boolean; json?: boolean }): Promise<void> {
  const term = new Terminal(process.stdout);
  if (options.history) {
    const checks = await app.checks.history(1000);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
      return;
    }
    if (checks.length === 0) {
      process.stdout.write('no checks yet: `mloop train` and `mloop run check` record them (as the scheduler does)\n');
      return;
    }
    const rows = checks.map((c) => [c.createdAt, `v${c.modelVersion}`, c.snapshotId, c.source, c.metric, c.value.toFixed(4), c.threshold, c.passed ? term.paint('green', 'pass') : term.paint('red', 'BELOW')]);
    process.stdout.write(term.table(['time', 'model', 'snapshot', 'source', 'metric', 'value', 'threshold', 'verdict'], rows, { rightAligned: [2, 5, 6] }));
    return;
  }
  const model = servingSummary(app);
  const live = await app.monitoring.liveWithCurves();
  if (options.json) {
    const { curves: _curves, ...metrics } = model.metrics as { curves?: unknown };
    const report = { version: model.version, mode: model.mode, snapshotId: model.snapshotId, metrics, curves: storedCurves(model.metrics), report: model.reportText, live: liveSummary(live) };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const verdict = verdictOf(model);
  const line = verdictLine(verdict, app.config.dataset.positive);
  process.stdout.write(
    `active model v${model.version} (${model.mode}), trained ${model.createdAt} on snapshot ${model.snapshotId}\n\n${model.reportText.replace(/\n+$/, '')}\n\n${curveLines(storedCurves(model.metrics))}${liveLines(live)}${verdict.passed ? term.ok(line) : term.fail(term.paint('red', line))}\n`,
  );
}

/** The live figures per version with the areas under its live curves, without the curves' points. */
function liveSummary(live: LiveReportWithCurves) {
  return {
    window: live.window,
    metric: live.label,
    versions: live.versions.map((v) => ({
      modelVersion: v.modelVersion,
      confirmed: v.confirmed,
      value: v.value,
      recall: v.recall,
      precision: v.precision,
      accuracy: v.accuracy,
      areas: v.curves?.perClass.map(({ label, rocAuc, averagePrecision }) => ({ label, rocAuc, averagePrecision })) ?? null,
      curvesCases: v.curvesCases,
    })),
  };
}

/** One line per version with confirmed cases: the monitored metric, then its live ROC AUC and average precision. */
function liveLines(live: LiveReportWithCurves): string {
  if (live.versions.length === 0) return `live (${live.window}): no confirmed cases yet\n\n`;
  const lines = live.versions.map((v) => {
    const { rows, windowRows, sampled, reason } = v.curvesCases;
    const areas = v.curves
      ? v.curves.perClass.map((c) => `${c.label}: ROC AUC ${figure(c.rocAuc)}, average precision ${figure(c.averagePrecision)}`).join('; ')
      : `no curves: ${reason ?? 'not computed'}`;
    const ranked = sampled ? ` (curves on the ${rows} most recently confirmed of ${windowRows})` : '';
    return `v${v.modelVersion}: ${v.confirmed} confirmed cases, ${live.label} ${v.value.toFixed(4)}; ${areas}${ranked}`;
  });
  return `live (${live.window}):\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`;
}

/** The C and gamma the version was fitted with: grid search's best, else the ones asked for. */
export function fittedParams(model: Pick<ModelSummary, 'params' | 'gridSearch'>): { readonly C: number | null; readonly gamma: number | string | null } {
  const best = (model.gridSearch as GridSearchResult | null)?.bestParams;
  const params = model.params as Partial<TrainingParams> | null;
  return { C: best?.C ?? params?.C ?? null, gamma: best?.gamma ?? params?.gamma ?? null };
}

const figure = (v: number | null) => (v === null ? 'n/a' : v.toFixed(4));

/** One line per class: ROC AUC, average precision and the operating point on the test split. */
function curveLines(curves: DecisionCurves | null): string {
  if (curves === null) return '';
  const lines = curves.perClass.map(({ label, rocAuc, averagePrecision, operatingPoint: p }) =>
    `${label}: ROC AUC ${figure(rocAuc)}, average precision ${figure(averagePrecision)}; at threshold ${p.threshold}: recall ${figure(p.recall)}, false-positive rate ${figure(p.fpr)}, precision ${figure(p.precision)}`,
  );
  return `curves on the test split (decision values):\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`;
}

export async function modelsListCommand(app: Application, options: { json?: boolean }): Promise<void> {
  const models = await app.registry.list(100, 0);
  writeList(models, options, 'no model versions yet: run `mloop train`', (term) => {
    const metric = metricName(models[0].monitoredMetric as MonitoredMetric, app.config.dataset.positive);
    const rows = models.map((m) => {
      const { C, gamma } = fittedParams(m);
      return [
        `v${m.version}`,
        m.servingStatus === 'active' ? term.paint('green', m.servingStatus) : m.servingStatus,
        m.gateVerdict === 'passed' ? m.gateVerdict : term.paint('red', m.gateVerdict),
        m.mode,
        C ?? '-',
        gamma ?? '-',
        m.snapshotId,
        m.monitoredValue.toFixed(4),
        m.createdAt,
        m.gateReason ?? '',
      ];
    });
    return term.table(['version', 'serving', 'gate', 'mode', 'C', 'gamma', 'snapshot', metric, 'created', 'gate reason'], rows, { rightAligned: [4, 5, 6, 7] });
  });
}

export async function auditCommand(app: Application, options: { json?: boolean }): Promise<void> {
  const entries = await app.registry.audit(100, 0);
  const version = (v: number | null) => (v === null ? '-' : `v${v}`);
  writeList(entries, options, 'no changes to what serves yet', (term) =>
    term.table(
      ['time', 'action', 'from', 'to', 'who', 'reason'],
      entries.map((e) => [e.at, e.action, version(e.fromVersion), version(e.toVersion), e.actor, e.reason ?? '']),
    ),
  );
}
