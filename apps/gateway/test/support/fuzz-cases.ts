/**
 * Requests generated from the gateway's OpenAPI document: for each operation a plausible request
 * (from the schemas' types, formats, enums, bounds and examples) with one thing made wrong — a
 * required field dropped, a value of the wrong type, past a bound, oversized or hostile, a path
 * parameter that is no id, a query parameter off its enum, a body that is no object or no JSON.
 * Pure: the same seed gives the same cases.
 */

type Rng = () => number;

/** mulberry32: a small seeded generator, so a failing case can be made again from its seed. */
function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const uuidOf = (rng: Rng) => {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
};

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One operation of the document, its references resolved. */
export interface Endpoint {
  method: string;
  path: string;
  params: Parameter[];
  body?: { contentType: string; schema: Schema; required: boolean };
}

/** One request to send. `body` undefined: none; a string: sent as it is (not JSON-encoded). */
export interface FuzzCase {
  endpoint: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  /** What was made wrong, for the report. */
  mutation: string;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

export function endpointsOf(doc: OpenApiDocument): Endpoint[] {
  const resolve = (s: Schema | undefined, depth = 0): Schema => {
    if (!s || depth > 8) {
      return {};
    }
    if (s.$ref) {
      const name = s.$ref.split('/').pop()!;
      return resolve(doc.components?.schemas?.[name], depth + 1);
    }
    const out: Schema = { ...s };
    if (s.items) out.items = resolve(s.items, depth + 1);
    if (s.properties) {
      out.properties = Object.fromEntries(
        Object.entries(s.properties).map(([k, v]) => [k, resolve(v, depth + 1)]),
      );
    }
    if (s.allOf) {
      return s.allOf
        .map((x) => resolve(x, depth + 1))
        .reduce((a, b) => ({
          ...a,
          ...b,
          properties: { ...a.properties, ...b.properties },
          required: [...(a.required ?? []), ...(b.required ?? [])],
        }));
    }
    return out;
  };
  const endpoints: Endpoint[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      endpoints.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) })),
        body: contentType
          ? { contentType, schema: resolve(media?.schema), required: op.requestBody?.required ?? false }
          : undefined,
      });
    }
  }
  return endpoints;
}

/** A value the schema accepts, as far as the document says. */
export function plausible(s: Schema, rng: Rng): unknown {
  if (s.example !== undefined) return s.example;
  if (s.enum?.length) return s.enum[Math.floor(rng() * s.enum.length)];
  if (s.oneOf?.length || s.anyOf?.length) return plausible((s.oneOf ?? s.anyOf)![0]!, rng);
  switch (s.type ?? '') {
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? 0;
      const hi = Math.min(s.maximum ?? lo + 100, lo + 100);
      return lo + Math.floor(rng() * (hi - lo + 1));
    }
    case 'boolean':
      return rng() < 0.5;
    case 'array': {
      const n = Math.max(s.minItems ?? 1, 1);
      return Array.from({ length: n }, () => plausible(s.items ?? {}, rng));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (s.required?.includes(k) || rng() < 0.5) out[k] = plausible(v, rng);
      }
      return out;
    }
    default:
      return plausibleString(s, rng);
  }
}

function plausibleString(s: Schema, rng: Rng): string {
  switch (s.format ?? '') {
    case 'uuid':
      return uuidOf(rng);
    case 'date-time':
      return '2020-06-01T08:00:00+08:00';
    case 'date':
      return '2020-06-01';
    case 'email':
      return `fuzz-${uuidOf(rng).slice(0, 8)}@example.com`;
    default:
      return 'x'.repeat(Math.max(s.minLength ?? 1, 1));
  }
}

/** Values no field of this type should take. */
function hostile(s: Schema): unknown[] {
  const common: unknown[] = [null, {}, [], { $gt: '' }];
  switch (s.type ?? '') {
    case 'integer':
    case 'number':
      return [
        ...common,
        'NaN',
        '12',
        1.5,
        -1,
        (s.minimum ?? 0) - 1,
        (s.maximum ?? 2 ** 53) + 1,
        2 ** 63,
        1e308,
        -1e308,
        true,
      ];
    case 'boolean':
      return [...common, 'yes', 1, 0];
    case 'array':
      return [...common, 'a', 7, Array.from({ length: 5_000 }, () => 1), [null], [[[[]]]]];
    case 'object':
      return [...common.slice(0, 3), 'x', 7, true];
    default:
      return [
        ...common,
        7,
        true,
        '',
        ' ',
        '\u0000',
        'x'.repeat(100_000),
        "' or 1=1 --",
        '../../etc/passwd',
        '𠜎𠜱🐰'.repeat(50),
        '\u202e\u0301',
        '2020-13-45T99:99:99Z',
        'not-a-uuid',
      ];
  }
}

const HOSTILE_PATH = [
  'not-a-uuid',
  '0',
  '-1',
  '%00',
  'x'.repeat(2_000),
  '00000000-0000-0000-0000-000000000000',
  '%E4%B8%AD',
  "'%20or%201=1",
  '..%2F..%2Fetc',
];

const HOSTILE_BODY: { body: unknown; contentType?: string; what: string }[] = [
  { body: '{"unterminated":', what: 'malformed JSON' },
  { body: '[]', what: 'an array' },
  { body: 'null', what: 'null' },
  { body: '"text"', what: 'a string' },
  { body: '42', what: 'a number' },
  { body: '<xml/>', contentType: 'application/xml', what: 'XML' },
  { body: JSON.stringify({ a: 'x'.repeat(2_000_000) }), what: 'a body past the size limit' },
  { body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', what: 'prototype keys' },
];

function fillPath(path: string, params: Parameter[], rng: Rng, override?: [string, string]): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (override && override[0] === name) return override[1];
    const p = params.find((x) => x.in === 'path' && x.name === name);
    // Ids are UUIDs except a label's code and the like, which the document types as strings.
    return encodeURIComponent(p?.schema?.format === 'uuid' || /id$/i.test(name) ? uuidOf(rng) : 'ABC123');
  });
}

function queryString(values: Record<string, unknown>): string {
  const parts = Object.entries(values).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map(
      (x) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof x === 'string' ? x : JSON.stringify(x))}`,
    ),
  );
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Cases for one endpoint: each plausible but for one mutation chosen by `pick`. */
function caseOf(e: Endpoint, rng: Rng): FuzzCase {
  const pick = (n: number) => Math.floor(rng() * n);
  const query: Record<string, unknown> = {};
  const headers: Record<string, string> = {};
  for (const p of e.params) {
    if (p.in === 'query' && (p.required || rng() < 0.5)) query[p.name] = plausible(p.schema ?? {}, rng);
    if (p.in === 'header' && p.required) headers[p.name] = uuidOf(rng);
  }
  let body: unknown =
    e.body && e.body.contentType.includes('json') ? plausible(e.body.schema, rng) : undefined;
  let url = fillPath(e.path, e.params, rng);
  let mutation = 'none';

  const targets: (() => void)[] = [];
  for (const p of e.params.filter((x) => x.in === 'path')) {
    targets.push(() => {
      const bad = HOSTILE_PATH[pick(HOSTILE_PATH.length)]!;
      url = fillPath(e.path, e.params, rng, [p.name, bad]);
      mutation = `path ${p.name} = ${bad.slice(0, 40)}`;
    });
  }
  for (const p of e.params.filter((x) => x.in === 'query')) {
    targets.push(() => {
      const values = hostile(p.schema ?? {});
      const bad = values[pick(values.length)];
      query[p.name] = bad === null ? '' : bad;
      mutation = `query ${p.name} = ${JSON.stringify(bad)?.slice(0, 40)}`;
    });
  }
  for (const p of e.params.filter((x) => x.in === 'header' && x.required)) {
    targets.push(() => {
      const choices = ['', 'x'.repeat(10_000), '\u00e9\u00e9'];
      const bad = choices[pick(choices.length)]!;
      if (bad === '') delete headers[p.name];
      else headers[p.name] = bad;
      mutation = `header ${p.name} = ${bad ? `${bad.length} chars` : 'missing'}`;
    });
  }
  if (e.body?.contentType.includes('json')) {
    const props = Object.entries(e.body.schema.properties ?? {});
    for (const [name, schema] of props) {
      targets.push(() => {
        const values = hostile(schema);
        const bad = values[pick(values.length)];
        (body as Record<string, unknown>)[name] = bad;
        mutation = `body.${name} = ${JSON.stringify(bad)?.slice(0, 40)}`;
      });
      if (e.body.schema.required?.includes(name)) {
        targets.push(() => {
          delete (body as Record<string, unknown>)[name];
          mutation = `body.${name} missing`;
        });
      }
    }
    targets.push(() => {
      (body as Record<string, unknown>)['unexpected' + pick(1000)] = 'x';
      mutation = 'body with an unknown field';
    });
    targets.push(() => {
      const bad = HOSTILE_BODY[pick(HOSTILE_BODY.length)]!;
      body = bad.body;
      if (bad.contentType) headers['content-type'] = bad.contentType;
      else headers['content-type'] = 'application/json';
      mutation = `body is ${bad.what}`;
    });
  } else if (e.body) {
    targets.push(() => {
      headers['content-type'] = 'application/json';
      body = '{"file":"not a file"}';
      mutation = `JSON where ${e.body!.contentType} is expected`;
    });
  }
  if (targets.length === 0) {
    targets.push(() => {
      query['unexpected'] = 'x'.repeat(10_000);
      mutation = 'an unknown oversized query parameter';
    });
  }
  targets[pick(targets.length)]!();
  if (body !== undefined && typeof body !== 'string') {
    body = JSON.stringify(body);
    headers['content-type'] ??= 'application/json';
  }
  return {
    endpoint: `${e.method} ${e.path}`,
    method: e.method,
    url: url + queryString(query),
    headers,
    body,
    mutation,
  };
}

/** `count` cases over every endpoint, round-robin so each gets its share, from `seed`. */
export function fuzzCases(endpoints: Endpoint[], count: number, seed: number): FuzzCase[] {
  const rng = seeded(seed);
  return Array.from({ length: count }, (_, i) => caseOf(endpoints[i % endpoints.length]!, rng));
}
