import type { FastifyReply, FastifyRequest } from 'fastify';
import { LogController } from 'fastify';

const reads = new Set(['GET', 'HEAD']);

/**
 * A successful read (a GET or HEAD of a route that changes nothing: not the tutorial's
 * `GET /update_data`, whose access is admin) is logged at debug: an open dashboard polls about a
 * dozen of them every few seconds, and Prometheus and load balancers poll `/metrics` and `/readyz`,
 * which would otherwise bury the lines that matter. Anything that changes state, fails (4xx, 5xx)
 * or is not found stays at info, as Fastify logs it.
 */
function quietRead(request: FastifyRequest, reply?: FastifyReply): boolean {
  if (!reads.has(request.method)) return false;
  if ((request.routeOptions.config as { access?: unknown } | undefined)?.access === 'admin') return false;
  return reply === undefined || reply.statusCode < 400;
}

export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (quietRead(request)) request.log.debug({ req: request }, 'incoming request');
    else super.incomingRequest(request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (!error && quietRead(request, reply)) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    else super.requestCompleted(error, request, reply);
  }
}
