import type { Application } from '../app/application.js';
import { writeList } from './terminal.js';
import { heartbeatMs } from '../app/run-heartbeat.js';
import type { Run } from '../store/run-repository.js';

/** How long `mloop runs cancel` waits for another process to stop the run: two of its heartbeats and a margin. */
const waitMs = 2 * heartbeatMs + 2_000;

/**
 * `mloop runs cancel ID`: the server (or another CLI) that executes the run stops it at its next
 * heartbeat, so the command waits to tell the outcome rather than that it was asked for.
 */
export async function cancelCommand(app: Application, id: number, options: { json?: boolean }): Promise<void> {
  const { run: asked, pending } = await app.runs.cancel(id, 'requested from the command line');
  let run: Run = asked;
  for (const deadline = Date.now() + waitMs; pending && run.status === 'running' && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    run = await app.runs.get(id);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  else if (run.status === 'running') process.stdout.write(`run ${id} (${run.kind}): cancel requested, still running${run.owner ? ` in process ${run.owner.pid} on ${run.owner.host}` : ''}\n`);
  else process.stdout.write(`run ${id} (${run.kind}): ${run.status}${run.error ? `: ${run.error}` : ''}\n`);
  if (run.status !== 'cancelled') process.exitCode = 1;
}

/** `done/total`, for a run that reports progress (a grid search's fits). */
const progressOf = (run: Run) => (run.progressTotal ? `${run.progressDone ?? 0}/${run.progressTotal}` : '');

/**
 * `mloop runs list`: the newest runs (updates, trainings, checks) with their ids, which
 * `mloop runs cancel` takes, and what became of them.
 */
export async function runsListCommand(app: Application, options: { json?: boolean; limit: number }): Promise<void> {
  const runs = await app.runs.list({ limit: options.limit, offset: 0 });
  writeList(runs, options, 'no runs yet: `mloop train`, `mloop update` and `mloop run JOB` make them (as the scheduler does)', (term) => {
    const status = (run: Run) => (run.status === 'succeeded' ? term.paint('green', run.status) : run.status === 'failed' ? term.paint('red', run.status) : run.status);
    const rows = runs.map((r) => [r.id, r.kind, r.trigger, status(r), progressOf(r), r.queuedAt, r.finishedAt ?? '', r.error ?? '']);
    return term.table(['id', 'kind', 'trigger', 'status', 'progress', 'queued', 'finished', 'error'], rows, { rightAligned: [0] });
  });
}
