import type { SchemaOptions, TLiteral, TUnion } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';

/**
 * A TypeBox union of the values of an `as const` list: the configuration's and the API's schemas
 * are built from the lists the code declares once, so a new value cannot be accepted in one place
 * and refused in another.
 */
export function literalUnion<const T extends readonly string[]>(values: T, options?: SchemaOptions): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );
}
