import { z } from 'zod';

/** A blank variable (`PORT=`) counts as unset, so the default applies or it is reported missing. */
function unsetIfBlank(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

/** Runs `schema` on the variable's text, or on `fallback` when the variable is unset or blank. */
function variable<S extends z.ZodType>(schema: S, fallback?: string) {
  return z.preprocess((value) => unsetIfBlank(value) ?? fallback, schema);
}

const INTEGER = /^-?\d+$/;
const TRUE_WORDS = ['true', '1', 'yes'];
const FALSE_WORDS = ['false', '0', 'no'];

function integer(min: number, max: number, what: string) {
  return z
    .string()
    .regex(INTEGER, `must be ${what}`)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n >= min && n <= max, `must be ${what}`);
}

/**
 * Builders for the usual shapes of environment variables, to keep each app's config schema short:
 *
 * ```ts
 * const CatalogConfig = z.object({
 *   GRPC_PORT: env.port(5001),
 *   DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
 *   LABEL_SIGNING_SECRET: env.secret(32),
 *   STRIPE_SECRET_KEY: env.optional(env.secret(16)),
 *   LOG_LEVEL: env.enum(['debug', 'info', 'warn', 'error'], 'info'),
 * });
 * ```
 *
 * Every builder treats a blank value as unset; one given a default uses it when unset.
 */
export const env = {
  /** A non-empty string. */
  string(fallback?: string) {
    return variable(z.string(), fallback);
  },

  /** A TCP port, 0..65535 (0 lets the OS choose). */
  port(fallback?: number) {
    return variable(integer(0, 65_535, 'a port number 0..65535'), fallback?.toString());
  },

  /** A safe integer, optionally bounded. */
  int(fallback?: number, { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {}) {
    const what =
      min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER
        ? 'an integer'
        : `an integer ${min}..${max}`;
    return variable(integer(min, max, what), fallback?.toString());
  },

  /** A boolean written `true`/`false`, `1`/`0` or `yes`/`no` (any case). */
  bool(fallback?: boolean) {
    return variable(
      z
        .string()
        .transform((s) => s.trim().toLowerCase())
        .refine(
          (s) => TRUE_WORDS.includes(s) || FALSE_WORDS.includes(s),
          'must be true, false, 1, 0, yes or no',
        )
        .transform((s) => TRUE_WORDS.includes(s)),
      fallback?.toString(),
    );
  },

  /** An absolute URL with a host, optionally restricted to some schemes (`['postgres', 'postgresql']`). */
  url({ fallback, protocols }: { fallback?: string; protocols?: readonly string[] } = {}) {
    const what = protocols ? `a ${protocols.join(' or ')} URL` : 'a URL';
    // A host is required, so that `localhost:6379` (scheme `localhost:`) is refused.
    const url = z.url({
      hostname: /./,
      ...(protocols ? { protocol: new RegExp(`^(${protocols.join('|')})$`) } : {}),
      error: `must be ${what}`,
    });
    return variable(url, fallback);
  },

  /**
   * A secret of at least `minLength` characters. It has no default on purpose: secrets come only
   * from the environment. Wrap in {@link env.optional} when the feature it unlocks is optional.
   */
  secret(minLength = 32) {
    return variable(z.string().min(minLength, `must be at least ${minLength} characters`));
  },

  /** One of a fixed set of words. */
  enum<const V extends readonly [string, ...string[]]>(values: V, fallback?: V[number]) {
    return variable(z.enum(values, { error: `must be one of ${values.join(', ')}` }), fallback);
  },

  /** A comma-separated list, trimmed, blanks dropped: `a, b,,c` → `['a', 'b', 'c']`. */
  list(fallback?: readonly string[]) {
    return variable(
      z.string().transform((s) =>
        s
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      ),
      fallback?.join(','),
    );
  },

  /** Makes a variable optional: unset or blank gives `undefined`, anything else must be valid. */
  optional<S extends z.ZodType>(schema: S) {
    return z.preprocess(unsetIfBlank, schema.optional());
  },
};
