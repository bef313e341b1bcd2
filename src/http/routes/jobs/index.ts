import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { literalUnion } from '../../../config/literal-union.js';
import { jobKinds } from '../../../core/schedule-policy.js';
import type { RouteContext } from '../../route-context.js';
import { errors } from '../../schemas.js';

const JobKind = literalUnion(jobKinds, { description: 'the scheduled jobs: update the data, train training.mode, check the active model' });

/** The scheduled jobs, by hand; and when they run next. */
export const jobRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.post(
    '/api/v1/jobs/:kind/run',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Run a scheduled job now',
        description: 'Answers at once with the run; follow it at `links.run`. A training while one runs answers 409.',
        params: Type.Object({ kind: JobKind }),
        response: { 202: Type.Object({ runId: Type.Integer(), kind: JobKind, status: Type.String(), links: Type.Object({ run: Type.String() }) }), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { run } = await app.jobs.start(request.params.kind, 'api');
      return reply.code(202).send({ runId: run.id, kind: run.kind, status: run.status, links: { run: `/api/v1/runs/${run.id}` } });
    },
  );

  fastify.get(
    '/api/v1/schedule',
    {
      schema: {
        tags: ['jobs'],
        summary: 'The schedule and the next time each job runs',
        response: {
          200: Type.Object({
            enabled: Type.Boolean(),
            timezone: Type.String(),
            jobs: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])),
            next: Type.Record(Type.String(), Type.String()),
          }),
        },
      },
    },
    async () => {
      const s = app.config.schedule;
      return { enabled: s.enabled, timezone: s.timezone, jobs: { update: s.update, train: s.train, check: s.check }, next: app.scheduler.nextRuns() };
    },
  );
};
