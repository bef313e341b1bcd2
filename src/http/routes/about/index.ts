import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { datasetTitle } from '../../../config/dataset-title.js';
import type { RouteContext } from '../../route-context.js';
import { Nullable } from '../../schemas.js';

const About = Type.Object({
  title: Type.String({ description: "what the classifier is called: dataset.title, default from the data set's name" }),
  intendedUse: Nullable(Type.String({ description: 'dataset.intendedUse, null when not stated' })),
  positive: Type.String({ description: 'the positive class (dataset.positive)' }),
  classNames: Type.Record(Type.String(), Type.String(), { description: 'words for each label (dataset.classNames)' }),
  units: Type.Record(Type.String(), Type.String(), { description: "each feature's unit (dataset.units), for the features whose data documentation states one" }),
});

/** `GET /api/v1/about`: what this service classifies, as the configuration says it (the dashboard's subtitle). */
export const aboutRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.get('/api/v1/about', { schema: { tags: ['health'], summary: "What this service classifies: title, intended use, classes, the features' units", response: { 200: About } } }, async () => {
    const { dataset } = app.config;
    return { title: datasetTitle(dataset), intendedUse: dataset.intendedUse ?? null, positive: dataset.positive, classNames: dataset.classNames, units: dataset.units };
  });
};
