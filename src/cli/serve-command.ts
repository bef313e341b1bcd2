import pino from 'pino';
import { ConflictError } from '../app/errors.js';
import { openApplication } from '../app/open-application.js';
import { loadConfig } from '../config/load-config.js';
import { buildHttpApp } from '../http/app.js';
import type { CommonOptions } from './context.js';
import { dataDirOf } from './context.js';

export interface ServeOptions extends CommonOptions {
  readonly port?: string;
  readonly host?: string;
}

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/** How often a server looks for a version activated elsewhere (CLI, another replica): one tiny query. */
const syncIntervalMs = 1_000;

/** `mloop serve`: one command deploys the whole service. */
export async function serveCommand(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = pino({ level: env.MLOOP_LOG_LEVEL ?? 'info', redact: ['req.headers.authorization', 'headers.authorization'] });
  const config = loadConfig(options.config);
  const port = Number(options.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port: expected an integer from 0 to 65535, got ${options.port ?? env.PORT}`);
  const adminToken = env.MLOOP_ADMIN_TOKEN || undefined;
  const predictToken = env.MLOOP_PREDICT_TOKEN || undefined;
  const feedbackToken = env.MLOOP_FEEDBACK_TOKEN || undefined;
  let host = options.host ?? env.HOST ?? '127.0.0.1';
  if (!adminToken && !loopback.has(host)) {
    log.warn({ requested: host }, `no MLOOP_ADMIN_TOKEN set: binding to 127.0.0.1 instead of ${host}, so that nobody else can train or promote models; set the token to serve on other interfaces`);
    host = '127.0.0.1';
  }

  const app = await openApplication({
    config,
    dataDir: dataDirOf(options, env),
    databaseUrl: env.DATABASE_URL ?? config.store.url,
    log,
    // The prediction log writes all the time: SQLite's checkpoints go to a worker thread.
    backgroundCheckpoints: true,
  });
  const http = buildHttpApp(app, { adminToken, predictToken, feedbackToken, logger: log.child({ component: 'http' }) });
  const sync = setInterval(() => void app.registry.sync().catch((e: unknown) => log.warn({ err: e }, 'active model sync failed')), syncIntervalMs);
  sync.unref();
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    const graceMs = config.server.shutdownGraceMs;
    log.info({ signal, graceMs }, 'shutting down: finishing in-flight requests');
    // The last resort: whatever still runs at the end of the grace does not keep the process.
    // Unreferenced, so a shutdown that completes earlier exits at once.
    setTimeout(() => {
      log.error(`not stopped within server.shutdownGraceMs (${graceMs} ms): exiting`);
      process.exit(1);
    }, graceMs).unref();
    // A training still running shortly before the end of the grace is cancelled (its run marked so,
    // not left for another process to find silent), leaving the rest of the grace to close.
    const cancelling = setTimeout(() => {
      log.warn('cancelling the training still running');
      void app.runs.cancelAll('the server is shutting down').catch((e: unknown) => log.error({ err: e }, 'cancel failed'));
    }, graceMs - cancelReserveMs(graceMs));
    cancelling.unref();
    clearInterval(sync);
    try {
      // No new scheduled job while the requests under way finish.
      await Promise.all([http.close(), app.scheduler.stop({ abandonRetries: true })]);
      await app.close();
      log.info('stopped');
    } catch (error) {
      log.error({ err: error }, 'error while shutting down');
      process.exitCode = 1;
    } finally {
      clearTimeout(cancelling);
    }
  };
  // Listened for from the start: a signal during the first training cancels it too.
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.bootstrap();
  } catch (error) {
    if (closing) {
      log.info(`first training stopped: ${(error as Error).message}`);
    } else if (error instanceof ConflictError) {
      // Replicas starting together: one trains the first model, the others serve it once active.
      log.info(`another process is training the first model (${error.message}); serving it once it is active`);
    } else {
      // The service still starts: it answers 409/503 until an update and a training succeed.
      log.error({ err: error }, `first training failed: ${(error as Error).message}`);
    }
  }
  if (closing) return;
  // The tutorial's crontab, built in: update, train and check on their schedules (schedule.*).
  app.scheduler.start();
  const next = app.scheduler.nextRuns();
  if (Object.keys(next).length > 0) log.info({ next, timezone: config.schedule.timezone }, 'scheduler started');

  const address = await http.listen({ host, port });
  const version = app.registry.serving ? `model v${app.registry.serving.version} active` : 'no model active yet';
  log.info({ url: address }, `mloop listening on ${address} (${version}; dashboard at ${address}/)`);
}

/** The part of the shutdown grace kept for closing after a training is cancelled: a fifth, at most 5 s. */
function cancelReserveMs(graceMs: number): number {
  return Math.min(5_000, Math.round(graceMs / 5));
}
