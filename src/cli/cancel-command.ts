import type { Application } from '../app/application.js';
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
