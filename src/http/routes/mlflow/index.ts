import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { InvalidInputError } from '../../../app/errors.js';
import { thresholdUsed } from '../../../app/predictions.js';
import type { InputRow } from '../../../core/prediction-input.js';
import { csvBodyParser } from '../../csv-body.js';
import type { RouteContext } from '../../route-context.js';
import { errors, List } from '../../schemas.js';

const Rows = Type.Union([Type.Array(Type.Unknown()), Type.Record(Type.String(), Type.Array(Type.Unknown()))], {
  description: 'a list of rows (arrays in feature order or objects keyed by feature name), or columns: an object of equally long lists keyed by feature name',
});

const InvocationsBody = Type.Object(
  {
    dataframe_split: Type.Optional(
      Type.Object({
        columns: Type.Optional(Type.Array(Type.String(), { description: 'feature names, in any order; feature order without it' })),
        index: Type.Optional(Type.Array(Type.Unknown())),
        data: Type.Array(Type.Array(Type.Unknown())),
      }),
    ),
    dataframe_records: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'one object per row, keyed by feature name' })),
    instances: Type.Optional(Rows),
    inputs: Type.Optional(Rows),
    params: Type.Optional(Type.Unknown({ description: 'accepted and ignored' })),
  },
  { description: "MLflow's scoring protocol: exactly one of dataframe_split, dataframe_records, instances or inputs" },
);

type Body = typeof InvocationsBody.static;
const inputKeys = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

function fromSplit(split: NonNullable<Body['dataframe_split']>, featureNames: readonly string[]): readonly InputRow[] {
  const { columns, data } = split;
  if (columns === undefined || (columns.length === featureNames.length && columns.every((c, k) => c === featureNames[k]))) return data;
  if (new Set(columns).size !== columns.length) throw new InvalidInputError('dataframe_split.columns names a column twice');
  // Columns in another order: key each value by its column name and let the row check name
  // any column that is unknown or missing.
  return data.map((values, r) => {
    if (values.length !== columns.length) throw new InvalidInputError(`dataframe_split.data row ${r} has ${values.length} values for ${columns.length} columns`, [{ row: r, problem: `expected ${columns.length} values` }]);
    // No prototype: a column named "__proto__" stays a (rejected) column instead of a prototype.
    const record = Object.create(null) as Record<string, unknown>;
    for (let k = 0; k < columns.length; k++) record[columns[k]] = values[k];
    return record;
  });
}

function fromColumns(columns: Readonly<Record<string, readonly unknown[]>>, key: string): readonly InputRow[] {
  const names = Object.keys(columns);
  const n = names.length === 0 ? 0 : columns[names[0]].length;
  for (const name of names) {
    if (columns[name].length !== n) throw new InvalidInputError(`${key}: column "${name}" has ${columns[name].length} values, "${names[0]}" has ${n}: columns must be equally long`);
  }
  return Array.from({ length: n }, (_, r) => Object.fromEntries(names.map((name) => [name, columns[name][r]])));
}

function rowsOf(body: Body, featureNames: readonly string[]): readonly InputRow[] {
  const present = inputKeys.filter((k) => body[k] !== undefined);
  if (present.length !== 1) {
    throw new InvalidInputError(`send exactly one of dataframe_split, dataframe_records, instances or inputs${present.length > 1 ? `, not ${present.join(' and ')}` : ''}`);
  }
  if (body.dataframe_split) return fromSplit(body.dataframe_split, featureNames);
  if (body.dataframe_records) return body.dataframe_records;
  const key = present[0] as 'instances' | 'inputs';
  const rows = body[key] as NonNullable<Body['instances']>;
  return Array.isArray(rows) ? (rows as readonly InputRow[]) : fromColumns(rows as Record<string, readonly unknown[]>, key);
}

/**
 * MLflow's scoring server protocol (`mlflow models serve`), so MLflow clients and tools can call
 * mloop as they would an MLflow-served scikit-learn model.
 */
export const mlflowRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app, metrics }) => {
  // In this plugin's scope only: the other routes keep answering 415 to CSV.
  fastify.addContentTypeParser('text/csv', { parseAs: 'string' }, csvBodyParser(app.config.dataset.naValues));
  fastify.post(
    '/invocations',
    {
      config: { access: 'predict' },
      schema: {
        tags: ['mlflow'],
        summary: "Predict in MLflow's scoring protocol",
        description:
          'application/json: one of dataframe_split, dataframe_records, instances or inputs. text/csv: a header line naming the columns (any order), then one line per row; an empty cell or one of dataset.naValues is a missing value. ' +
          "A two-class model's answer says the operating point its labels were decided at in the headers mloop-decision-threshold and mloop-positive-class (a row is that class when its score for it is >= the threshold; 0 is libsvm's boundary), so that the body stays MLflow's.",
        body: InvocationsBody,
        // An MLflow-served scikit-learn classifier answers its `predict` output: the class labels.
        // So does this route ("M" / "B"), rather than class names or decision values.
        response: { 200: Type.Object({ predictions: List(Type.String(), { description: 'the predicted label of each row, in order' }) }), ...errors(400, 401, 403, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const featureNames = app.registry.serving?.artifact.featureNames ?? [];
      const outcome = app.predictions.predict(rowsOf(request.body, featureNames), { route: 'mlflow' });
      metrics.countPredictions(outcome);
      const predictions = new Array<string>(outcome.predictions.length);
      for (let i = 0; i < predictions.length; i++) predictions[i] = outcome.predictions[i].label;
      const used = thresholdUsed(outcome);
      if (used) void reply.headers({ 'mloop-decision-threshold': String(used.threshold), 'mloop-positive-class': used.positive });
      return { predictions };
    },
  );
};
