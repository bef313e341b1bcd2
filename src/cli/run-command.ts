import type { Application } from '../app/application.js';
import type { TrainResult } from '../app/trainings.js';
import type { JobKind } from '../core/schedule-policy.js';
import type { MonitoredMetric } from '../core/monitored-metric.js';
import { exitCodes } from './exit-codes.js';
import { Terminal } from './terminal.js';
import { awaitTraining, setTrainingExitCode, trainingSummary, verdictLine } from './train-command.js';

interface UpdateResult {
  readonly status: string;
  readonly snapshotId: number;
  readonly rows: number;
}

interface CheckResult {
  readonly snapshotId: number;
  readonly metric: string;
  readonly value: number;
  readonly threshold: number;
  readonly passed: boolean;
  readonly live?: { readonly window: string; readonly confirmed: number; readonly value: number | null; readonly judged: boolean; readonly passed: boolean };
  readonly drift?: { readonly judged: boolean; readonly reason?: string; readonly datasetDrift?: boolean; readonly driftedCount?: number };
}

/** What an update or a check found, in a line or three (`--json` has all of it). */
function resultLines(job: JobKind, result: unknown, positive: string): string[] {
  if (result === null || typeof result !== 'object') return [];
  if (job === 'update') {
    const r = result as UpdateResult;
    return [`${r.status === 'created' ? 'new' : 'unchanged'} snapshot ${r.snapshotId}: ${r.rows} rows`];
  }
  const r = result as CheckResult;
  const lines = [`test split of snapshot ${r.snapshotId}: ${verdictLine({ metric: r.metric as MonitoredMetric, value: r.value, threshold: r.threshold, passed: r.passed }, positive)}`];
  if (r.live) lines.push(`live (${r.live.window}): ${r.live.confirmed} confirmed cases${r.live.judged && r.live.value !== null ? `, ${r.live.value.toFixed(4)}: ${r.live.passed ? 'PASS' : 'BELOW THRESHOLD'}` : ', not judged yet'}`);
  if (r.drift) lines.push(`drift: ${r.drift.judged ? (r.drift.datasetDrift ? `DRIFTED (${r.drift.driftedCount ?? 0} features)` : `${r.drift.driftedCount ?? 0} features drifted, below monitor.driftShare`) : `not judged (${r.drift.reason ?? 'too few inputs'})`}`);
  return lines;
}

/**
 * `mloop run JOB`: a scheduled job now, waited for. A training prints what `mloop train` prints
 * (and exits 3 when the gate rejects it); `--json` prints the run as the API shows it.
 */
export async function runCommand(app: Application, job: JobKind, options: { json?: boolean }): Promise<void> {
  const started = await app.jobs.start(job, 'cli');
  const trained = job === 'train' ? awaitTraining(app, { run: started.run, done: started.done as Promise<TrainResult> }, options.json) : started.done;
  const result = await trained.then(
    (value) => value,
    () => undefined,
  );
  await app.alerting.deliver();
  const finished = await app.runs.get(started.run.id);
  const term = new Terminal(process.stdout);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(finished, null, 2)}\n`);
  } else if (job === 'train' && finished.status === 'succeeded' && result !== undefined) {
    const model = await app.registry.get((result as TrainResult).model.version);
    process.stdout.write(`run ${finished.id} (train): succeeded\n${trainingSummary(model, result as TrainResult, app.config.dataset.positive, term)}`);
  } else {
    const line = `run ${finished.id} (${job}): ${finished.status}${finished.error ? `: ${finished.error}` : ''}`;
    const details = finished.status === 'succeeded' && job !== 'train' ? resultLines(job, finished.result, app.config.dataset.positive) : [];
    process.stdout.write(`${[finished.status === 'succeeded' ? term.ok(line) : term.fail(line), ...details].join('\n')}\n`);
  }
  if (finished.status !== 'succeeded') process.exitCode = exitCodes.error;
  else if (job === 'train' && result !== undefined) setTrainingExitCode((result as TrainResult).model);
}
