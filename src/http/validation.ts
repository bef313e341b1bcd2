import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/errors';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { deepestProblem } from '../config/schema-problem.js';

/** One schema violation the way Fastify reports it: `body/data/0/3` + `must be number`. */
export interface SchemaProblem {
  readonly instancePath: string;
  readonly message: string;
}

/**
 * Validates with TypeBox's compiled checks instead of Fastify's default Ajv, because Ajv's
 * `coerceTypes` would turn `null` and `true` into 0 and 1 and `"17.99"` into 17.99 inside a row:
 * a body is checked exactly as sent. Only the querystring and path parameters, which are always
 * strings on the wire, are converted to the declared types first.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const convert = httpPart !== 'body';
  return (input: unknown) => {
    const value = convert ? Value.Convert(schema, input) : input;
    if (check.Check(value)) return { value };
    // The first problem is enough to fix the request; collecting all of them on a large batch
    // would cost more than the request itself.
    const first = check.Errors(value).First();
    const problem = first ? describeProblem(first) : { instancePath: '', message: 'does not match the schema' };
    const error: FastifySchemaValidationError = { keyword: first ? ValueErrorType[first.type] : 'schema', schemaPath: '', params: {}, ...problem };
    return { error: [error] };
  };
};

function parentOf(path: string): { parent: string; key: string } {
  const cut = path.lastIndexOf('/');
  return { parent: path.slice(0, cut), key: path.slice(cut + 1).replace(/~1/g, '/').replace(/~0/g, '~') };
}

/** The values a union of literals allows, e.g. `"basic", "normalized" or "gridsearch"`. */
function alternatives(schema: TSchema): string | null {
  const anyOf = (schema as { anyOf?: readonly TSchema[] }).anyOf;
  if (!Array.isArray(anyOf)) return null;
  const words = anyOf.map((s: TSchema) => ('const' in s ? JSON.stringify(s.const) : typeof s.type === 'string' ? `a ${s.type}` : 'another shape'));
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : (words[0] ?? null);
}

/** Ajv's wording, which Fastify users know, for the problems a request can have. */
export function describeProblem(raw: ValueError): SchemaProblem {
  const error = deepestProblem(raw);
  const s = error.schema as Record<string, unknown>;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty: {
      const { parent, key } = parentOf(error.path);
      // A missing enumerated field names its values, so one request is enough to learn them.
      const allowed = 'anyOf' in s ? alternatives(error.schema) : null;
      return { instancePath: parent, message: `must have required property '${key}'${allowed ? `: ${allowed}` : ''}` };
    }
    case ValueErrorType.ObjectAdditionalProperties: {
      const { parent, key } = parentOf(error.path);
      return { instancePath: parent, message: `must NOT have additional property '${key}'` };
    }
    case ValueErrorType.Union:
      return { instancePath: error.path, message: `must be ${alternatives(error.schema) ?? 'one of the allowed shapes'}` };
    case ValueErrorType.Literal:
      return { instancePath: error.path, message: `must be ${JSON.stringify(s.const)}` };
    case ValueErrorType.Number:
      // JSON has no NaN, but 1e999 parses to Infinity.
      return { instancePath: error.path, message: typeof error.value === 'number' ? 'must be a finite number' : 'must be number' };
    case ValueErrorType.Integer:
      return { instancePath: error.path, message: 'must be integer' };
    case ValueErrorType.String:
      return { instancePath: error.path, message: 'must be string' };
    case ValueErrorType.Boolean:
      return { instancePath: error.path, message: 'must be boolean' };
    case ValueErrorType.Array:
      return { instancePath: error.path, message: 'must be array' };
    case ValueErrorType.Object:
      return { instancePath: error.path, message: 'must be object' };
    case ValueErrorType.ArrayMinItems:
      return { instancePath: error.path, message: `must NOT have fewer than ${String(s.minItems)} items` };
    case ValueErrorType.ArrayMaxItems:
      return { instancePath: error.path, message: `must NOT have more than ${String(s.maxItems)} items` };
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return { instancePath: error.path, message: `must be >= ${String(s.minimum)}` };
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return { instancePath: error.path, message: `must be <= ${String(s.maximum)}` };
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
      return { instancePath: error.path, message: `must be > ${String(s.exclusiveMinimum)}` };
    case ValueErrorType.StringMinLength:
      return { instancePath: error.path, message: `must NOT have fewer than ${String(s.minLength)} characters` };
    case ValueErrorType.StringMaxLength:
      return { instancePath: error.path, message: `must NOT have more than ${String(s.maxLength)} characters` };
    default:
      return { instancePath: error.path, message: error.message.charAt(0).toLowerCase() + error.message.slice(1) };
  }
}
