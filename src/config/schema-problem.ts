import type { ValueError } from '@sinclair/typebox/errors';
import { ValueErrorType } from '@sinclair/typebox/errors';

const depth = (path: string) => (path === '' ? 0 : path.split('/').length);

/** Errors that only say the value has another type than a variant wants. */
const wrongType = new Set([
  ValueErrorType.Union,
  ValueErrorType.Literal,
  ValueErrorType.Number,
  ValueErrorType.Integer,
  ValueErrorType.String,
  ValueErrorType.Boolean,
  ValueErrorType.Array,
  ValueErrorType.Object,
  ValueErrorType.Null,
]);

/**
 * Within a union (a row may be an array or an object; gamma 'scale', 'auto' or a number) the most
 * useful problem is the one that got furthest into the value: `/rows/0/3 must be number` rather
 * than `/rows/0 must match a schema`; at the same depth, the variant whose type the value has:
 * `gamma must be <= 100` rather than "must be 'scale', 'auto' or a number" for 1e308. Both the
 * configuration file and the API's requests report through it.
 */
export function deepestProblem(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union) return error;
  let best = error;
  const rank = (e: ValueError) => depth(e.path) * 2 + (wrongType.has(e.type) ? 0 : 1);
  for (const variant of error.errors) {
    const first = variant.First();
    if (!first) continue;
    const candidate = deepestProblem(first);
    if (rank(candidate) > rank(best)) best = candidate;
  }
  return best;
}

/**
 * What a union of literals (and perhaps a number) accepts, in words: `one of basic, normalized,
 * gridsearch`, `one of scale, auto, or a number`; null for a union of other shapes.
 */
export function unionChoices(schema: unknown): string | null {
  const anyOf = (schema as { anyOf?: readonly Record<string, unknown>[] }).anyOf;
  if (!Array.isArray(anyOf)) return null;
  const literals = anyOf.filter((s) => 'const' in s).map((s) => String(s.const));
  const others = anyOf.filter((s) => !('const' in s)).map((s) => s.type);
  if (literals.length === 0 || others.some((type) => type !== 'number' && type !== 'integer')) return null;
  return `one of ${literals.join(', ')}${others.length > 0 ? `, or ${others[0] === 'integer' ? 'an integer' : 'a number'}` : ''}`;
}
