import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { ConfirmedCasesQuery, InputSample, InputSampleQuery, LiveCounts, PredictionLogReader, VersionCases, Window } from '../prediction-log-reads.js';
import type { ReadTask } from './read-worker.js';

// From the TypeScript sources (tests) the worker is loaded through tsx; from dist, as plain JS.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = fileURLToPath(new URL(fromSource ? './read-worker.ts' : './read-worker.js', import.meta.url));

/**
 * The prediction log's long reads on SQLite, run on a worker thread with a read-only connection of
 * its own: better-sqlite3 runs a query on the calling thread from start to end, and counting a
 * million rows there would stop the event loop for as long. One thread, started by the first read
 * and ended when idle: the reads queue rather than compete with the server for the cores.
 */
export class SqliteReadPool implements PredictionLogReader {
  private piscina: Promise<Piscina> | undefined;

  constructor(private readonly file: string) {}

  private run(task: ReadTask): Promise<unknown> {
    this.piscina ??= import('piscina').then(
      ({ Piscina }) =>
        new Piscina({
          filename: workerFile,
          workerData: { file: this.file },
          minThreads: 0,
          maxThreads: 1,
          idleTimeout: 30_000,
          execArgv: fromSource ? ['--import', 'tsx'] : [],
        }),
    );
    return this.piscina.then((pool) => pool.run(task) as Promise<unknown>);
  }

  async inputSample(query: InputSampleQuery): Promise<InputSample> {
    return (await this.run({ kind: 'inputSample', query })) as InputSample;
  }

  async liveCounts(window: Window): Promise<LiveCounts> {
    return (await this.run({ kind: 'liveCounts', window })) as LiveCounts;
  }

  async confirmedCases(query: ConfirmedCasesQuery): Promise<VersionCases[]> {
    return (await this.run({ kind: 'confirmedCases', query })) as VersionCases[];
  }

  async close(): Promise<void> {
    if (this.piscina) await (await this.piscina).destroy();
  }
}
