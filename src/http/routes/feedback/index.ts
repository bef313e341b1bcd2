import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { InvalidInputError } from '../../../app/errors.js';
import { feedbackStatuses } from '../../../app/feedback.js';
import { literalUnion } from '../../../config/literal-union.js';
import type { RouteContext } from '../../route-context.js';
import { errors, ExternalId, List } from '../../schemas.js';
import { StoredText } from '../../stored-text.js';

const itemFields = {
  predictionId: Type.Optional(StoredText({ minLength: 1, maxLength: 200, description: 'the id a prediction answered with' })),
  externalId: Type.Optional(ExternalId("the caller's case number sent with the prediction")),
  // One of the model's classes, so no length of its own.
  actual: StoredText({ minLength: 1, description: 'the confirmed diagnosis (M or B)' }),
};

/** An admin's correction of a diagnosis confirmed before: on the one item, or on the whole batch. */
const correctionFields = {
  correct: Type.Optional(Type.Boolean({ description: 'true: replace a different diagnosis confirmed before (admin token; needs a reason; recorded in the audit log)' })),
  reason: Type.Optional(StoredText({ minLength: 1, maxLength: 1000, description: 'why the confirmed diagnosis was wrong (with "correct": true)' })),
};

const Item = Type.Object(itemFields, { additionalProperties: false });

const Outcome = Type.Object({
  predictionId: Type.Optional(Type.String()),
  externalId: Type.Optional(Type.String()),
  actual: Type.String(),
  status: literalUnion(feedbackStatuses, { description: 'unchanged: the same label was confirmed before' }),
  predictions: Type.Integer({ description: 'predictions the label was recorded on' }),
});

/** `POST /api/v1/feedback`: the confirmed diagnosis of predicted cases, one or a batch. */
export const feedbackRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.post(
    '/api/v1/feedback',
    {
      config: { access: { level: 'feedback', flag: 'correct', flagLevel: 'admin' } },
      schema: {
        tags: ['monitoring'],
        summary: 'Record confirmed diagnoses',
        description: 'One item `{predictionId | externalId, actual}` or `{items: [...]}`. A batch is checked whole: an unknown id (404), a label outside the classes (400) or a different label than one confirmed before (409) rejects it and records nothing. An identical repeat is accepted and changes nothing. An admin corrects a wrong confirmed diagnosis with `"correct": true` and a `"reason"`: the label is replaced (status corrected), the audit log (GET /api/v1/models/audit) records it and live figures follow.',
        body: Type.Union([
          Type.Object({ ...itemFields, ...correctionFields }, { additionalProperties: false }),
          Type.Object({ items: Type.Array(Item, { minItems: 1, maxItems: 10_000 }), ...correctionFields }, { additionalProperties: false }),
        ]),
        response: { 200: Type.Object({ results: List(Outcome) }), ...errors(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      const { correct, reason, ...rest } = request.body;
      if (reason !== undefined && correct !== true) throw new InvalidInputError('"reason" goes with "correct": true (a correction of a confirmed diagnosis)');
      const items = 'items' in rest ? rest.items : [rest as typeof Item.static];
      return { results: await app.monitoring.feedback(items, correct === true ? { reason: reason ?? '' } : undefined) };
    },
  );
};
