import type { Application } from '../app/application.js';
import type { DecisionCurves } from '../core/metrics/decision-curves.js';
import { storedCurves } from '../core/metrics/decision-curves.js';
import { verdictLine, verdictOf } from './train-command.js';

export async function reportCommand(app: Application, options: { history?: boolean; json?: boolean }): Promise<void> {
  if (options.history) {
    const checks = await app.checks.history(1000);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
      return;
    }
    const lines = ['time                      model  snapshot  source    metric        value   threshold  verdict'];
    for (const c of checks) {
      lines.push(`${c.createdAt.padEnd(26)}v${String(c.modelVersion).padEnd(6)}${String(c.snapshotId).padEnd(10)}${c.source.padEnd(10)}${c.metric.padEnd(14)}${c.value.toFixed(4)}  ${String(c.threshold).padEnd(11)}${c.passed ? 'pass' : 'BELOW'}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  const model = app.registry.active();
  if (options.json) {
    const { curves: _curves, ...metrics } = model.metrics as { curves?: unknown };
    process.stdout.write(`${JSON.stringify({ version: model.version, mode: model.mode, snapshotId: model.snapshotId, metrics, curves: storedCurves(model.metrics), report: model.reportText }, null, 2)}\n`);
    return;
  }
  const areas = curveLines(storedCurves(model.metrics));
  process.stdout.write(`active model v${model.version} (${model.mode}), trained ${model.createdAt} on snapshot ${model.snapshotId}\n\n${model.reportText.replace(/\n+$/, '')}\n\n${areas}${verdictLine(verdictOf(model), app.config.dataset.positive)}\n`);
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
  if (options.json) {
    process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    return;
  }
  const lines = ['version  serving     verdict   mode        metric        value   created                   gate'];
  for (const m of models) {
    lines.push(`v${String(m.version).padEnd(8)}${m.servingStatus.padEnd(12)}${m.gateVerdict.padEnd(10)}${m.mode.padEnd(12)}${m.monitoredMetric.padEnd(14)}${m.monitoredValue.toFixed(4)}  ${m.createdAt.padEnd(26)}${m.gateReason ?? ''}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function auditCommand(app: Application, options: { json?: boolean }): Promise<void> {
  const entries = await app.registry.audit(100, 0);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return;
  }
  const lines = ['time                      action            from  to    who        reason'];
  for (const e of entries) {
    const version = (v: number | null) => (v === null ? '-' : `v${v}`).padEnd(6);
    lines.push(`${e.at.padEnd(26)}${e.action.padEnd(18)}${version(e.fromVersion)}${version(e.toVersion)}${e.actor.padEnd(11)}${e.reason ?? ''}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
