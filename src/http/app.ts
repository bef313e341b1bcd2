import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Application } from '../app/application.js';
import { installApiDocs } from './api-docs.js';
import type { TokenOptions } from './auth.js';
import { createGuards, guardRoutes, securitySchemes } from './auth.js';
import { frameworkErrorOptions, installErrorHandler } from './error-handler.js';
import { parseJsonBody } from './json-body.js';
import { HttpMetrics } from './metrics.js';
import { packageVersion } from './package-info.js';
import { RequestLogController } from './request-log.js';
import { checkRequestOrigin } from './request-origin.js';
import { onFirstUse, schemaController } from './schema-compilers.js';
import type { RouteContext } from './route-context.js';
import { alertRoutes } from './routes/alerts/index.js';
import { dashboardRoutes } from './routes/dashboard/index.js';
import { dataRoutes } from './routes/data/index.js';
import { feedbackRoutes } from './routes/feedback/index.js';
import { aboutRoutes } from './routes/about/index.js';
import { healthRoutes } from './routes/health/index.js';
import { jobRoutes } from './routes/jobs/index.js';
import { metricsRoutes } from './routes/metrics/index.js';
import { mlflowRoutes } from './routes/mlflow/index.js';
import { modelRoutes } from './routes/models/index.js';
import { thresholdRoutes } from './routes/models/threshold.js';
import { monitoringRoutes } from './routes/monitoring/index.js';
import { oipRoutes } from './routes/oip/index.js';
import { performanceRoutes } from './routes/performance/index.js';
import { predictRoutes } from './routes/predict/index.js';
import { runRoutes } from './routes/runs/index.js';
import { rolloutRoutes } from './routes/rollout/index.js';
import { silenceRoutes } from './routes/silences/index.js';
import { trainRoutes } from './routes/train/index.js';
import { tutorialRoutes } from './routes/tutorial/index.js';
import { validatorCompiler } from './validation.js';

export interface HttpOptions extends TokenOptions {
  /** The service's logger (Fastify logs each request through a child of it), or false for none. */
  readonly logger: Logger | false;
  /** The address the server listens on (`--host`): a name there is one of the server's names. */
  readonly host?: string;
  /** Fastify's schema compilers: the build passes its own to compile the serializers ahead (schema-compilers.ts). */
  readonly schemaController?: FastifyServerOptions['schemaController'];
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
  silenceRoutes,
  feedbackRoutes,
  monitoringRoutes,
  modelRoutes,
  thresholdRoutes,
  rolloutRoutes,
  performanceRoutes,
  healthRoutes,
  aboutRoutes,
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
  // First, so that a weak token stops the build rather than the first request.
  const guards = createGuards(options);
  const bodyLimit = app.config.server.bodyLimitBytes;
  const fastify = Fastify({
    bodyLimit,
    ...frameworkErrorOptions(bodyLimit),
    schemaController: options.schemaController ?? schemaController,
    loggerInstance: options.logger ? (options.logger.child({}, { redact: { paths: redactPaths, censor: '[redacted]' } }) as FastifyBaseLogger) : undefined,
    logger: options.logger ? undefined : false,
    logController: new RequestLogController(),
  });
  const metrics = new HttpMetrics(app);
  const context: RouteContext = { app, metrics };

  installErrorHandler(fastify, bodyLimit);
  metrics.install(fastify);
  // JSON only (the tutorial's /train_svm takes anything, in a scope of its own): a JSON body sent
  // as text/plain is a 415 that names the type, not a string that fails every body schema.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody);
  const { publicUrl, allowedHosts } = app.config.server;
  checkRequestOrigin(fastify, { boundHost: options.host, publicUrl, allowedHosts });

  installApiDocs(
    fastify,
    {
      openapi: '3.1.0',
      info: {
        title: 'mloop',
        version: packageVersion(),
        description: "An MLOps service around the breast-cancer SVM classifier: the tutorial's routes, a JSON API, MLflow's and the Open Inference Protocol's prediction routes.",
      },
      components: { securitySchemes: { ...securitySchemes } },
      ...(app.config.server.publicUrl ? { servers: [{ url: app.config.server.publicUrl }] } : {}),
    },
    '/docs',
  );

  // The routes validate with TypeBox (see validation.ts); the Swagger UI plugin keeps Fastify's own.
  void fastify.register(async (api) => {
    api.setValidatorCompiler(onFirstUse(validatorCompiler));
    guardRoutes(api, guards);
    for (const routes of resources) await api.register(routes, context);
  });
  return fastify;
}
