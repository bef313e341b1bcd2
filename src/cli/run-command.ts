import type { Application } from '../app/application.js';
import type { TrainResult } from '../app/trainings.js';
import type { JobKind } from '../core/schedule-policy.js';
import { exitCodes } from './exit-codes.js';
import { Terminal } from './terminal.js';
import { awaitTraining, setTrainingExitCode, trainingSummary } from './train-command.js';

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
    process.stdout.write(`${finished.status === 'succeeded' ? term.ok(line) : term.fail(line)}\n${finished.result && job !== 'train' ? `${JSON.stringify(finished.result)}\n` : ''}`);
  }
  if (finished.status !== 'succeeded') process.exitCode = exitCodes.error;
  else if (job === 'train' && result !== undefined) setTrainingExitCode((result as TrainResult).model);
}
