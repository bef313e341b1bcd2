import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Application } from '../app/application.js';
import { dashboardRoutes } from '../dashboard/dashboard-routes.js';
import type { TokenOptions } from './auth.js';
import { createGuards, securitySchemes } from './auth.js';
import { installErrorHandler } from './error-handler.js';
import { HttpMetrics } from './metrics.js';
import { packageVersion } from './package-info.js';
import type { RouteContext } from './route-context.js';
import { alertRoutes } from './routes/alerts/index.js';
import { dataRoutes } from './routes/data/index.js';
import { feedbackRoutes } from './routes/feedback/index.js';
import { healthRoutes } from './routes/health/index.js';
import { jobRoutes } from './routes/jobs/index.js';
import { metricsRoutes } from './routes/metrics/index.js';
import { mlflowRoutes } from './routes/mlflow/index.js';
import { modelRoutes } from './routes/models/index.js';
import { monitoringRoutes } from './routes/monitoring/index.js';
import { oipRoutes } from './routes/oip/index.js';
import { performanceRoutes } from './routes/performance/index.js';
import { predictRoutes } from './routes/predict/index.js';
import { runRoutes } from './routes/runs/index.js';
import { trainRoutes } from './routes/train/index.js';
import { tutorialRoutes } from './routes/tutorial/index.js';
import { validatorCompiler } from './validation.js';

export interface HttpOptions extends TokenOptions {
  /** The service's logger (Fastify logs each request through a child of it), or false for none. */
  readonly logger: Logger | false;
}

const resources: readonly FastifyPluginAsyncTypebox<RouteContext>[] = [
  tutorialRoutes,
  predictRoutes,
  mlflowRoutes,
  oipRoutes,
  dataRoutes,
  trainRoutes,
  runRoutes,
  jobRoutes,
  alertRoutes,
  feedbackRoutes,
  monitoringRoutes,
  modelRoutes,
  performanceRoutes,
  healthRoutes,
  metricsRoutes,
  dashboardRoutes,
];

/** Every place a log line could carry a bearer token. */
const redactPaths = ['req.headers.authorization', 'request.headers.authorization', 'headers.authorization', 'res.headers["www-authenticate"]'];

/**
 * Builds the HTTP app around an opened Application, without listening: `server.ts` starts it and
 * the tests build the very same app. The plugins load on `ready()` / `listen()`.
 */
export function buildHttpApp(app: Application, options: HttpOptions): FastifyInstance {
  const bodyLimit = app.config.server.bodyLimitBytes;
  const fastify = Fastify({
    bodyLimit,
    loggerInstance: options.logger ? (options.logger.child({}, { redact: { paths: redactPaths, censor: '[redacted]' } }) as FastifyBaseLogger) : undefined,
    logger: options.logger ? undefined : false,
  });
  const metrics = new HttpMetrics(app);
  const context: RouteContext = { app, guards: createGuards(options), metrics };

  installErrorHandler(fastify, bodyLimit);
  metrics.install(fastify);

  void fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'mloop',
        version: packageVersion(),
        description: "An MLOps service around the breast-cancer SVM classifier: the tutorial's routes, a JSON API, MLflow's and the Open Inference Protocol's prediction routes.",
      },
      components: { securitySchemes: { ...securitySchemes } },
      ...(app.config.server.publicUrl ? { servers: [{ url: app.config.server.publicUrl }] } : {}),
    },
  });
  void fastify.register(swaggerUi, { routePrefix: '/docs' });
  fastify.get('/openapi.json', { schema: { hide: true } }, () => fastify.swagger());

  // The routes validate with TypeBox (see validation.ts); the Swagger UI plugin keeps Fastify's own.
  void fastify.register(async (api) => {
    api.setValidatorCompiler(validatorCompiler);
    for (const routes of resources) await api.register(routes, context);
  });
  return fastify;
}
