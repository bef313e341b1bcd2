import { ConflictError } from '../app/errors.js';
import { openApplication } from '../app/open-application.js';
import { loadConfig } from '../config/load-config.js';
import { buildHttpApp } from '../http/app.js';
import { tokensFromEnv } from '../http/auth.js';
import type { CommonOptions } from './context.js';
import { dataDirOf, newStoreAt } from './context.js';
import { handleShutdown } from './graceful-shutdown.js';
import { createLogger } from './logger.js';
import { checkPortFree } from './port-check.js';

export interface ServeOptions extends CommonOptions {
  readonly port?: string;
  readonly host?: string;
}

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/** How often a server looks for a version activated elsewhere (CLI, another replica): one tiny query. */
const syncIntervalMs = 1_000;

/** `mloop serve`: one command deploys the whole service. */
export async function serveCommand(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // A weak token stops the start before anything is opened, trained or bound.
  const tokens = tokensFromEnv(env);
  const { adminToken } = tokens;
  const log = createLogger({ defaultLevel: 'info', fd: 1, env });
  const config = loadConfig(options.config);
  const port = Number(options.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port: expected an integer from 0 to 65535, got ${options.port ?? env.PORT}`);
  let host = options.host ?? env.HOST ?? '127.0.0.1';
  if (!adminToken && !loopback.has(host)) {
    log.warn({ requested: host }, `no MLOOP_ADMIN_TOKEN set: binding to 127.0.0.1 instead of ${host}, so that nobody else can train or promote models; set the token to serve on other interfaces`);
    host = '127.0.0.1';
  }
  // Before anything is opened or trained: a port in use is the most common way a second start fails.
  await checkPortFree(host, port);

  const dataDir = dataDirOf(options, env);
  const databaseUrl = env.DATABASE_URL ?? config.store.url;
  const created = newStoreAt(dataDir, databaseUrl);
  if (created !== null) log.info(`creating a new store at ${created}`);
  const app = await openApplication({
    config,
    dataDir,
    databaseUrl,
    log,
    // The prediction log writes all the time: SQLite's checkpoints go to a worker thread.
    backgroundCheckpoints: true,
  });
  const http = buildHttpApp(app, { ...tokens, host, logger: log.child({ component: 'http' }) });
  // Every replica serves what the store says: the active model, and the rollout's challenger if any.
  const sync = setInterval(() => void Promise.all([app.registry.sync(), app.rollouts.sync()]).catch((e: unknown) => log.warn({ err: e }, 'active model sync failed')), syncIntervalMs);
  sync.unref();
  const shutdown = handleShutdown(http, app, log, config.server.shutdownGraceMs, () => clearInterval(sync));

  try {
    await app.bootstrap();
  } catch (error) {
    if (shutdown.closing) {
      log.info(`first training stopped: ${(error as Error).message}`);
    } else if (error instanceof ConflictError) {
      // Replicas starting together: one trains the first model, the others serve it once active.
      log.info(`another process is training the first model (${error.message}); serving it once it is active`);
    } else {
      // The service still starts: it answers 409/503 until an update and a training succeed.
      log.error({ err: error }, `first training failed: ${(error as Error).message}`);
    }
  }
  if (shutdown.closing) return;
  // The tutorial's crontab, built in: update, train and check on their schedules (schedule.*).
  app.scheduler.start();
  const next = app.scheduler.nextRuns();
  if (Object.keys(next).length > 0) log.info({ next, timezone: config.schedule.timezone }, 'scheduler started');

  // Fastify's own "Server listening at" line says it: one line, with what serves and where the dashboard is.
  const version = () => (app.registry.serving ? `model v${app.registry.serving.version} active` : 'no model active yet');
  await http.listen({ host, port, listenTextResolver: (address) => `mloop listening on ${address} (${version()}; dashboard at ${address}/)` });
}

