import type { Static, TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * The configuration file's schema. Key names are a contract (README "Configuration"); every key is
 * optional and defaults to the tutorial's value. Secrets never live here: they come from the
 * environment (MLOOP_ADMIN_TOKEN, MLOOP_PREDICT_TOKEN, MLOOP_SMTP_PASSWORD, ...).
 */
const strict = { additionalProperties: false } as const;
const positiveNumber = Type.Number({ exclusiveMinimum: 0 });
const gamma = Type.Union([Type.Literal('scale'), Type.Literal('auto'), positiveNumber]);

const section = <T extends Record<string, TSchema>>(properties: T) => Type.Object(properties, { ...strict, default: {} });

export const ConfigSchema = Type.Object(
  {
    dataset: section({
      source: Type.Optional(Type.String({ minLength: 1, description: 'file path or http(s) URL of a CSV; default: the bundled data/wdbc.csv' })),
      label: Type.String({ minLength: 1, default: 'diagnosis' }),
      positive: Type.String({ minLength: 1, default: 'M' }),
      drop: Type.Array(Type.String(), { default: ['id'] }),
      timeoutMs: Type.Integer({ minimum: 1, default: 30_000 }),
      maxBytes: Type.Integer({ minimum: 1, default: 50 * 1024 * 1024 }),
    }),
    split: section({
      testSize: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 }),
      randomState: Type.Integer({ minimum: 0, maximum: 4294967295, default: 20 }),
      stratify: Type.Boolean({ default: false }),
    }),
    training: section({
      mode: Type.Union([Type.Literal('basic'), Type.Literal('normalized'), Type.Literal('gridsearch')], { default: 'normalized' }),
      C: Type.Number({ exclusiveMinimum: 0, default: 1 }),
      gamma: Type.Union([Type.Literal('scale'), Type.Literal('auto'), positiveNumber], { default: 'scale' }),
      grid: Type.Object(
        {
          C: Type.Array(positiveNumber, { minItems: 1 }),
          gamma: Type.Array(gamma, { minItems: 1 }),
        },
        { ...strict, default: { C: [0.1, 1, 10, 100], gamma: [1, 0.1, 0.01, 0.001] } },
      ),
      cv: Type.Integer({ minimum: 2, default: 5 }),
    }),
    monitor: section({
      metric: Type.Union([Type.Literal('recall'), Type.Literal('recall_macro')], { default: 'recall' }),
      threshold: Type.Number({ minimum: 0, maximum: 1, default: 0.9 }),
    }),
    server: section({
      publicUrl: Type.Optional(Type.String({ minLength: 1 })),
      maxBatchRows: Type.Integer({ minimum: 1, default: 10_000 }),
      bodyLimitBytes: Type.Integer({ minimum: 1024, default: 10 * 1024 * 1024 }),
    }),
  },
  strict,
);

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

function keyOf(path: string): string {
  return path.replace(/^\//, '').replace(/\//g, '.') || '(root)';
}

/** Fills defaults and validates; throws a ConfigError naming every offending key. */
export function parseConfig(input: unknown): Config {
  const raw = input ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('configuration must be an object of sections (dataset, split, training, monitor, ...)');
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw));
  const problems = [...Value.Errors(ConfigSchema, withDefaults)];
  if (problems.length > 0) {
    const seen = new Set<string>();
    const lines = problems
      .map((e) => {
        const key = keyOf(e.path);
        const got = e.value === undefined ? 'nothing' : JSON.stringify(e.value);
        return e.message.startsWith('Unexpected property') ? `${key}: unknown key` : `${key}: ${e.message.toLowerCase()}, got ${got}`;
      })
      .filter((line) => (seen.has(line) ? false : (seen.add(line), true)));
    throw new ConfigError(`invalid configuration:\n  ${lines.slice(0, 10).join('\n  ')}`);
  }
  return withDefaults as Config;
}
