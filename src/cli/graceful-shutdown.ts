import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Application } from '../app/application.js';

/** The part of the grace kept for closing after a training is cancelled: a fifth, at most 5 s. */
export function cancelReserveMs(graceMs: number): number {
  return Math.min(5_000, Math.round(graceMs / 5));
}

export interface Shutdown {
  /** A signal came: the server is draining or gone. */
  readonly closing: boolean;
}

/**
 * How `mloop serve` stops on SIGTERM or SIGINT, within `graceMs` (`server.shutdownGraceMs`): it
 * takes no new connection nor scheduled job, lets the requests under way finish, cancels a training
 * still running near the end of the grace (its run marked cancelled, not left for another process
 * to find silent), closes the application and exits. Whatever still runs when the grace is over
 * does not keep the process: it exits with code 1. Installed before the first training, which a
 * signal stops too. `onClosing` runs first (timers of the caller).
 */
export function handleShutdown(http: FastifyInstance, app: Application, log: Logger, graceMs: number, onClosing: () => void): Shutdown {
  const state = { closing: false };
  const shutdown = async (signal: string) => {
    if (state.closing) return;
    state.closing = true;
    onClosing();
    log.info({ signal, graceMs }, 'shutting down: finishing in-flight requests');
    // Unreferenced: a shutdown that completes earlier exits at once.
    setTimeout(() => {
      log.error(`not stopped within server.shutdownGraceMs (${graceMs} ms): exiting`);
      process.exit(1);
    }, graceMs).unref();
    const cancelling = setTimeout(() => {
      log.warn('cancelling the training still running');
      void app.runs.cancelAll('the server is shutting down').catch((e: unknown) => log.error({ err: e }, 'cancel failed'));
    }, graceMs - cancelReserveMs(graceMs));
    cancelling.unref();
    try {
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
  // While draining, each answer closes its connection: an idle keep-alive connection would otherwise
  // hold the server open for its keep-alive timeout (72 s by Fastify's default) after the answer.
  // A callback hook, not an async one: it runs on every answer, and a promise each costs a turn.
  http.addHook('onSend', (_request, reply, payload, done) => {
    if (state.closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return state;
}
