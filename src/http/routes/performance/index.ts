import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../../route-context.js';
import { Check, errors, List, Metrics, modelView, TrainingMode, Verdict } from '../../schemas.js';

/** How well the active model does, and how the monitored metric went over time. */
export const performanceRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.get(
    '/api/v1/performance',
    {
      schema: {
        tags: ['performance'],
        summary: "The active model's evaluation on its test split",
        response: {
          200: Type.Object({
            version: Type.Integer(),
            mode: TrainingMode,
            metrics: Metrics,
            reportText: Type.String(),
            monitoredMetric: Type.String({ description: 'recall (of the positive class) or recall_macro' }),
            monitoredValue: Type.Number(),
            threshold: Type.Number(),
            passed: Type.Boolean({ description: 'the monitored value reaches the threshold' }),
            verdict: Verdict,
            classes: List(Type.Object({ label: Type.String(), name: Type.String({ description: "the label's display name from dataset.classNames (the label itself when it has none)" }) }), {
              description: "the model's classes, in `metrics.labels` order",
            }),
          }),
          ...errors(409),
        },
      },
    },
    async () => {
      const model = modelView(app.registry.active());
      const { classNames } = app.config.dataset;
      return {
        version: model.version,
        mode: model.mode,
        metrics: model.metrics,
        reportText: model.reportText,
        monitoredMetric: model.monitoredMetric,
        monitoredValue: model.monitoredValue,
        threshold: model.threshold,
        passed: model.verdict.passed,
        verdict: model.verdict,
        classes: model.metrics.labels.map((label) => ({ label, name: classNames[label] ?? label })),
      };
    },
  );

  fastify.get(
    '/api/v1/performance/history',
    {
      schema: {
        tags: ['performance'],
        summary: 'The latest checks of the monitored metric, oldest first',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 100 })) }),
        response: { 200: Type.Object({ checks: List(Check) }), ...errors(400) },
      },
    },
    async (request) => ({ checks: await app.checks.history(request.query.limit ?? 100) }),
  );
};
