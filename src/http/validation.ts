import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/errors';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { storedTextProblem } from './stored-text.js';
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
  const integers = convert ? integerProperties(schema) : [];
  return (input: unknown) => {
    const unparsable = integers.length > 0 ? integerTextProblem(input, integers) : null;
    if (unparsable) return { error: [{ keyword: 'integer', schemaPath: '', params: {}, ...unparsable }] };
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

/** The integer fields of a path or query schema (a flat object: the wire has only strings). */
function integerProperties(schema: TSchema): readonly string[] {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  return Object.keys(properties).filter((key) => properties[key].type === 'integer');
}

/**
 * An integer on the wire is decimal digits within 2^53 - 1. Converted by `Number` instead, "1e3"
 * would be 1000 and "9007199254740993" the neighbouring 9007199254740992: a request would be
 * answered about another id than the one it named.
 */
function integerTextProblem(input: unknown, keys: readonly string[]): SchemaProblem | null {
  if (typeof input !== 'object' || input === null) return null;
  for (const key of keys) {
    const text = (input as Record<string, unknown>)[key];
    if (typeof text !== 'string') continue;
    const instancePath = `/${key}`;
    if (!/^-?\d+$/.test(text)) return { instancePath, message: `must be integer (digits only), got ${JSON.stringify(text.slice(0, 40))}` };
    if (!Number.isSafeInteger(Number(text))) {
      const bound = text.startsWith('-') ? '>= -9007199254740991 (-(2^53 - 1))' : '<= 9007199254740991 (2^53 - 1)';
      return { instancePath, message: `must be integer ${bound}, got ${text.length > 40 ? `a ${text.length}-digit number` : text}` };
    }
  }
  return null;
}

function parentOf(path: string): { parent: string; key: string } {
  const cut = path.lastIndexOf('/');
  return { parent: path.slice(0, cut), key: path.slice(cut + 1).replace(/~1/g, '/').replace(/~0/g, '~') };
}

const withArticle: Readonly<Record<string, string>> = { array: 'an array', object: 'an object', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'a boolean', null: 'null' };

/**
 * What a union allows, once each: `"basic", "normalized" or "gridsearch"` for literals, the JSON
 * types otherwise (`an object`, not `a object or a object` for two object shapes).
 */
function alternatives(schema: TSchema): string | null {
  const anyOf = (schema as { anyOf?: readonly TSchema[] }).anyOf;
  if (!Array.isArray(anyOf)) return null;
  const words = [...new Set(anyOf.map((s: TSchema) => ('const' in s ? JSON.stringify(s.const) : typeof s.type === 'string' ? (withArticle[s.type] ?? s.type) : 'another shape')))];
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : (words[0] ?? null);
}

/** The JSON types a schema (or each member of its union) accepts. */
function acceptedTypes(schema: TSchema): readonly string[] {
  const anyOf = (schema as { anyOf?: readonly TSchema[] }).anyOf;
  if (Array.isArray(anyOf)) return anyOf.flatMap(acceptedTypes);
  if ('const' in schema) return [jsonType(schema.const)];
  if (schema.type === 'integer') return ['number'];
  return typeof schema.type === 'string' ? [schema.type] : [];
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** `, not an array` when the value is of a JSON type the schema does not take at all. */
function notWhatWasSent(schema: TSchema, value: unknown): string {
  const sent = jsonType(value);
  const accepted = acceptedTypes(schema);
  return accepted.length === 0 || accepted.includes(sent) ? '' : `, not ${withArticle[sent] ?? sent}`;
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
      // JSON has no NaN, but 1e999 parses to Infinity: a number every alternative refuses is not finite.
      if (typeof error.value === 'number' && !Number.isFinite(error.value)) return { instancePath: error.path, message: 'must be a finite number' };
      return { instancePath: error.path, message: `must be ${alternatives(error.schema) ?? 'one of the allowed shapes'}${notWhatWasSent(error.schema, error.value)}` };
    case ValueErrorType.Literal:
      return { instancePath: error.path, message: `must be ${JSON.stringify(s.const)}` };
    case ValueErrorType.Number:
      // JSON has no NaN, but 1e999 parses to Infinity.
      return { instancePath: error.path, message: typeof error.value === 'number' ? 'must be a finite number' : `must be number${notWhatWasSent(error.schema, error.value)}` };
    case ValueErrorType.Integer:
    case ValueErrorType.String:
    case ValueErrorType.Boolean:
    case ValueErrorType.Array:
    case ValueErrorType.Object:
      return { instancePath: error.path, message: `must be ${String(s.type)}${notWhatWasSent(error.schema, error.value)}` };
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
    case ValueErrorType.StringPattern:
      return { instancePath: error.path, message: storedTextProblem(error.value as string, String(s.pattern)) ?? `must match the pattern ${String(s.pattern)}` };
    default:
      return { instancePath: error.path, message: error.message.charAt(0).toLowerCase() + error.message.slice(1) };
  }
}
