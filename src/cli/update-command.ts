import type { Application } from '../app/application.js';
import { formatBytes, progressBar } from './terminal.js';

/**
 * `mloop update`: re-reads dataset.source into a snapshot. An http(s) source shows on a terminal
 * the bytes read, of the size the server declares, and an ETA (a slow URL is the long step here).
 */
export async function updateCommand(app: Application, options: { json?: boolean }): Promise<void> {
  const bar = options.json ? null : progressBar(process.stderr, 'update', { unit: '', count: formatBytes }, Date.now, 100);
  let outcome;
  try {
    outcome = await app.jobs.update('cli', bar ? { onProgress: (read, total) => bar.update(read, total) } : {});
  } finally {
    bar?.stop();
  }
  const { status, snapshot, runId } = outcome;
  process.stdout.write(
    options.json
      ? `${JSON.stringify({ status, snapshot, runId }, null, 2)}\n`
      : `${status === 'created' ? 'new' : 'unchanged'} snapshot ${snapshot.id}: ${snapshot.rowCount} rows from ${snapshot.source} (${Object.entries(snapshot.classCounts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})\n`,
  );
}
