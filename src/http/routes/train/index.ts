import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { gridSchema, regularisationSchema } from '../../../config/schema.js';
import { trainingLimits } from '../../../core/training-limits.js';
import type { RouteContext } from '../../route-context.js';
import { errors, Gamma, TrainingMode } from '../../schemas.js';

const { C, gridValues, gridFits, cv } = trainingLimits;

/** The same bounds as `training.*` in the configuration (core/training-limits.ts). */
const TrainBody = Type.Object(
  {
    mode: Type.Optional(TrainingMode),
    C: Type.Optional(regularisationSchema({ description: `SVC regularisation, ${C.min} to ${C.max} (not used by gridsearch)` })),
    gamma: Type.Optional(Gamma),
    grid: Type.Optional(
      gridSchema({ description: `the grid of gridsearch: at most ${gridValues} values per axis, and C values × gamma values × training.cv folds at most ${gridFits} fits` }),
    ),
    cv: Type.Optional(Type.Integer({ minimum: cv.min, maximum: cv.max, description: `grid-search folds (StratifiedKFold), ${cv.min} to ${cv.max}` })),
  },
  { additionalProperties: false, description: 'what is not given comes from training.* in the configuration; {} trains the configured mode' },
);

/** `POST /api/v1/train`: queue a training and answer at once; follow it at the run's link. */
export const trainRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.post(
    '/api/v1/train',
    {
      schema: {
        tags: ['train'],
        summary: 'Start a training',
        description: 'One training at a time: while one runs, this answers 409 with its run id in `details.runId`.',
        body: TrainBody,
        response: {
          202: Type.Object({ runId: Type.Integer(), status: Type.String(), links: Type.Object({ run: Type.String() }) }),
          ...errors(400, 401, 403, 409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const started = await app.trainings.start(request.body, 'api');
      const { run } = started;
      return reply.code(202).send({ runId: run.id, status: run.status, links: { run: `/api/v1/runs/${run.id}` } });
    },
  );
};
