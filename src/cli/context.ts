import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Application } from '../app/application.js';
import { openApplication } from '../app/open-application.js';
import { loadConfig } from '../config/load-config.js';
import { sqliteFileName } from '../store/database.js';
import { createLogger } from './logger.js';

export interface CommonOptions {
  readonly config?: string;
  readonly dataDir?: string;
}

export function dataDirOf(options: CommonOptions, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(options.dataDir ?? env.MLOOP_DATA_DIR ?? '.mloop');
}

/**
 * Logs of commands other than `serve` go to stderr, off by default: the command itself prints its
 * result or its one-line error (MLOOP_LOG_LEVEL=info shows what happens underneath).
 */
export function cliLogger(): Logger {
  return createLogger({ defaultLevel: 'silent', fd: 2 });
}

/**
 * The SQLite store `dataDir` would create, or null when it exists or the store is PostgreSQL. A
 * mistyped `--data-dir` would otherwise pass for an empty registry: the caller says it is new.
 */
export function newStoreAt(dataDir: string, databaseUrl: string | undefined): string | null {
  return databaseUrl === undefined && !existsSync(join(dataDir, sqliteFileName)) ? dataDir : null;
}

/** How long an interrupted command waits for the runs it cancelled to record it. */
const interruptWaitMs = 2_000;

/**
 * Opens the same store and configuration as the server, runs `body`, and closes everything. An
 * interrupted command (Ctrl-C, SIGTERM) cancels the runs it executes, so that they read cancelled
 * rather than wait to be found dead, and exits with 128 + the signal's number.
 */
export async function withApplication<T>(options: CommonOptions, body: (app: Application) => Promise<T>, log: Logger = cliLogger()): Promise<T> {
  const config = loadConfig(options.config);
  const dataDir = dataDirOf(options);
  const databaseUrl = process.env.DATABASE_URL ?? config.store.url;
  const created = newStoreAt(dataDir, databaseUrl);
  const app = await openApplication({ config, dataDir, databaseUrl, log });
  if (created !== null) process.stderr.write(`mloop: creating a new store at ${created}\n`);
  const interrupt = (signal: NodeJS.Signals) => {
    const stopped = app.runs.cancelAll(`interrupted (${signal})`);
    const waited = new Promise((resolve) => setTimeout(resolve, interruptWaitMs).unref());
    void Promise.race([stopped, waited]).finally(() => process.exit(128 + constants.signals[signal]));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await body(app);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await app.close();
  }
}
