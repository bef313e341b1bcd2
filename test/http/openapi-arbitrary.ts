/**
 * fast-check arbitraries for requests to every operation of an OpenAPI document: values that follow
 * each schema (so that some requests get through), with a hostile value anywhere in their place
 * now and then (wrong types, huge and unsafe numbers, control characters, lone surrogates, deep
 * nesting, long strings, `__proto__` keys), and raw bodies JSON.stringify cannot write.
 */
import fc from 'fast-check';

export interface JsonSchema {
  readonly type?: string;
  readonly anyOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
}

interface Parameter {
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly name: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly required?: boolean; readonly content: Readonly<Record<string, { readonly schema: JsonSchema }>> };
}

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
}

/** A body as sent: a value for JSON.stringify, or text as is with its content type (or none). */
export type FuzzBody = { readonly json: unknown } | { readonly raw: string; readonly contentType: string | null } | null;

export interface FuzzRequest {
  readonly method: string;
  /** The path with its parameters filled in and its query string. */
  readonly url: string;
  readonly body: FuzzBody;
  readonly auth: 'admin' | 'none' | 'wrong';
}

export interface Operations {
  readonly method: string;
  readonly path: string;
  readonly operation: Operation;
}

export function operationsOf(document: OpenApiDocument): Operations[] {
  return Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

/** Nested arrays `depth` deep: a parser or a validator that recurses must not overflow on it. */
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

const controlText = fc.string({ unit: fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 });

/** Values no schema here accepts in most places, and the ones that broke services before. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), '', ' ', '\u0000', 'evil\u0000', '\u202e', '\ud800', '%00', '../../../etc/passwd', 'NaN', '1e309', [], {}, [[]], [null]),
  controlText,
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer({ min: 201, max: 100_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 20, max: 2_000 }).map(nested),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown),
);

/** Raw bodies: not JSON, JSON that JSON.stringify cannot produce (unsafe integers, 1e400, deep nesting), or the wrong content type. */
const rawBody: fc.Arbitrary<FuzzBody> = fc.record({
  raw: fc.oneof(
    fc.constantFrom('', '{', 'null', '[]', '"x"', '{"row": [1e400]}', '{"version": 9007199254740993}', '{"a":1,"a":2}', '{"__proto__":{}}', '\u0000', 'row=1&row=2'),
    fc.integer({ min: 500, max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    fc.integer({ min: 500, max: 20_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
    fc.string({ unit: 'binary', maxLength: 200 }),
  ),
  contentType: fc.constantFrom<string | null>('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', null),
});

/** Values of `schema`, with a hostile value in its place one time in seven (at every depth). */
export function schemaValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const valid = validValue(schema, depth);
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: hostileValue, weight: 1 });
}

function validValue(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => validValue(s, depth)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const known = fc.record(
        Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, schemaValue(s, depth + 1)])),
        { requiredKeys: Object.keys(properties).filter((name) => required.has(name) || depth > 3) },
      );
      const extra = schema.additionalProperties === false ? fc.constant({}) : fc.dictionary(fc.string({ maxLength: 10 }), depth > 2 ? fc.jsonValue({ maxDepth: 1 }) : schemaValue(typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {}, depth + 1), { maxKeys: 4 });
      return fc.tuple(known, extra).map(([a, b]) => ({ ...b, ...a }));
    }
    case 'array': {
      // Small arrays: the bounds are tested by their edges, not by thousands of elements.
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? minLength + 4, minLength + 4);
      return fc.array(depth > 3 ? fc.jsonValue({ maxDepth: 1 }) : schemaValue(schema.items ?? {}, depth + 1), { minLength, maxLength });
    }
    case 'string':
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 12, 12) });
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1000, -(2 ** 31)), max: Math.min(schema.maximum ?? 1000, 2 ** 31) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A path or query parameter as text: a value of its schema, or a hostile one. */
function parameterText(schema: JsonSchema): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: validValue(schema, 0).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))), weight: 4 },
    {
      arbitrary: fc.oneof(
        fc.constantFrom('0', '-1', '1.5', '1e3', '9007199254740993', '1'.repeat(23), 'abc', '', ' ', 'null', 'true', '\u0000', '../..', '%', 'a'.repeat(101)),
        controlText,
        fc.string({ unit: 'binary', maxLength: 20 }),
      ),
      weight: 1,
    },
  );
}

/** Requests to `op`: its declared method (now and then another), parameters, body and credentials. */
export function requestOf(op: Operations, examples: readonly unknown[] = []): fc.Arbitrary<FuzzRequest> {
  const parameters = op.operation.parameters ?? [];
  const pathParameters = parameters.filter((p) => p.in === 'path');
  const queryParameters = parameters.filter((p) => p.in === 'query');
  const pathArb = fc.tuple(...pathParameters.map((p) => parameterText(p.schema))).map((values) =>
    // Most values are percent-encoded as a client would; a few go raw (`%`, `..`, spaces).
    values.reduce<string>((path, value, i) => path.replace(`{${pathParameters[i].name}}`, /^[\w.%~-]*$/.test(value) ? value : encodeURIComponent(value)), op.path),
  );
  const queryArb = fc
    .tuple(
      fc.record(Object.fromEntries(queryParameters.map((p) => [p.name, parameterText(p.schema)])), { requiredKeys: queryParameters.filter((p) => p.required).map((p) => p.name) }),
      fc.option(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { freq: 5 }),
    )
    .map(([known, extra]) => {
      const query = new URLSearchParams(known as Record<string, string>);
      if (extra) query.append(extra[0], extra[1]);
      const text = query.toString();
      return text === '' ? '' : `?${text}`;
    });
  const schema = op.operation.requestBody?.content['application/json']?.schema;
  const jsonBody = schema ? schemaValue(schema) : hostileValue;
  const exampleBody = examples.length > 0 ? fc.constantFrom(...examples).chain((example) => mutated(example)) : jsonBody;
  const bodyArb: fc.Arbitrary<FuzzBody> = fc.oneof(
    { arbitrary: jsonBody.map((json) => ({ json })), weight: 4 },
    { arbitrary: exampleBody.map((json) => ({ json })), weight: 3 },
    { arbitrary: rawBody, weight: 1 },
    { arbitrary: fc.constant(null), weight: 1 },
  );
  const method = fc.oneof({ arbitrary: fc.constant(op.method), weight: 12 }, { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), weight: 1 });
  return fc
    .record({ method, path: pathArb, query: queryArb, body: bodyArb, auth: fc.constantFrom<FuzzRequest['auth']>('admin', 'admin', 'none', 'wrong') })
    .map(({ method: m, path, query, body, auth }) => ({ method: m, url: `${path}${query}`, body: m === 'GET' ? null : body, auth }));
}

/** An example body as is, or with one of its values (at any depth) replaced by a hostile one. */
function mutated(example: unknown): fc.Arbitrary<unknown> {
  const paths = leafPaths(example);
  return fc.oneof(
    fc.constant(example),
    fc.tuple(fc.constantFrom(...paths), hostileValue).map(([path, value]) => replaceAt(example, path, value)),
  );
}

function leafPaths(value: unknown, prefix: readonly (string | number)[] = []): (readonly (string | number)[])[] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((v, i) => leafPaths(v, [...prefix, i]))];
  if (value !== null && typeof value === 'object') return [prefix, ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]))];
  return [prefix];
}

function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
  const record = value as Record<string, unknown>;
  return { ...record, [head]: replaceAt(record[head], rest, replacement) };
}
