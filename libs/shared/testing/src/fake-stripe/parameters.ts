import { invalidRequest } from './api-error';

/**
 * Decodes a Stripe form body or query (`a[b][0]=x`) into nested objects and arrays, the way the
 * Stripe API reads what the SDK encodes. Every leaf stays a string, as on the wire.
 */
export function decodeStripeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
    const path = match
      ? [match[1] as string, ...[...(match[2] ?? '').matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] as string)]
      : [key];
    let node: Record<string, unknown> = root;
    path.forEach((segment, i) => {
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) {
        node[name] = value;
        return;
      }
      const next = node[name];
      if (typeof next === 'object' && next !== null) {
        node = next as Record<string, unknown>;
      } else {
        const child: Record<string, unknown> = {};
        node[name] = child;
        node = child;
      }
    });
  }
  return arraysOf(root) as Record<string, unknown>;
}

/** Objects whose keys are exactly 0..n-1 become arrays. */
function arraysOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, arraysOf(v)] as const);
  const indexed = entries.length > 0 && entries.every(([k], i) => k === String(i));
  return indexed ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

/** Canonical JSON (sorted keys) of decoded parameters, to compare two requests' parameters. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function onlyKnown(params: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) {
      throw invalidRequest(`Received unknown parameter: ${key}`, { code: 'parameter_unknown', param: key });
    }
  }
}

export function integerParam(
  params: Record<string, unknown>,
  name: string,
  required: boolean,
): number | undefined {
  const raw = params[name];
  if (raw === undefined) {
    if (required) {
      throw invalidRequest(`Missing required param: ${name}.`, { code: 'parameter_missing', param: name });
    }
    return undefined;
  }
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) {
    throw invalidRequest(`Invalid integer: ${String(raw)}`, {
      code: 'parameter_invalid_integer',
      param: name,
    });
  }
  return Number(raw);
}

export function stringParam(params: Record<string, unknown>, name: string): string | undefined {
  const raw = params[name];
  if (raw === undefined) {
    return undefined;
  }
  if (typeof raw !== 'string') {
    throw invalidRequest(`Invalid string: ${name}`, { code: 'parameter_invalid_string', param: name });
  }
  return raw;
}

export function enumParam(
  params: Record<string, unknown>,
  name: string,
  values: readonly string[],
): string | undefined {
  const raw = stringParam(params, name);
  if (raw !== undefined && !values.includes(raw)) {
    throw invalidRequest(`Invalid ${name}: must be one of ${values.join(', ')}`, { param: name });
  }
  return raw;
}

export function metadataParam(params: Record<string, unknown>): Record<string, string> {
  const raw = params['metadata'];
  if (raw === undefined || raw === '') {
    return {};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidRequest('Invalid metadata: must be an object', { param: 'metadata' });
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 50) {
    throw invalidRequest('Invalid metadata: cannot have more than 50 keys', { param: 'metadata' });
  }
  for (const [key, value] of entries) {
    if (key.length > 40) {
      throw invalidRequest(
        `Metadata keys can have up to 40 characters, but you passed in a key that is ${key.length} characters long.`,
        { param: `metadata[${key}]` },
      );
    }
    if (typeof value !== 'string') {
      throw invalidRequest('Invalid metadata: values must be strings', { param: `metadata[${key}]` });
    }
    if (value.length > 500) {
      throw invalidRequest(
        `Metadata values can have up to 500 characters, but you passed in a value that is ${value.length} characters long.`,
        { param: `metadata[${key}]` },
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
