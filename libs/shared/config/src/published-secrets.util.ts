import type { ConfigProblem } from './config.errors';

/**
 * Every secret value this repository has ever shipped as a default: the old docker-compose
 * `${VAR:-…}` defaults and k8s dev overlay values, the demo password of `npm start` and the docs,
 * and the placeholders of the `secrets.env.example` templates. They are public, so a service that
 * anyone else can reach must not run with one ({@link publishedSecretProblems}). Values removed
 * from the files stay here: deployments made from those files still hold them. The deploy tests
 * check that every default secret in docker-compose.yml and k8s/ is on this list.
 */
export const PUBLISHED_SECRET_VALUES: readonly string[] = [
  'dev-only-service-token-change-me',
  'dev-only-jwt-secret-change-me-0123456789',
  'dev-only-postgres-password',
  'dev-only-admin-password',
  'dev-only-demo-password',
  'dev-only-pii-encryption-key-change-me-00000',
  'dev-only-pii-hash-key-change-me-0123456789',
  'yugong-demo-2020',
  'PASSWORD',
];

const PUBLISHED = new Set(PUBLISHED_SECRET_VALUES);
const IPV4_LOOPBACK = /^127(\.\d{1,3}){3}$/;
const IPV6_LOOPBACK = ['::1', '0:0:0:0:0:0:0:1'];

/**
 * Whether a listen address reaches this machine only: `localhost`, 127.0.0.0/8 or `::1` (also
 * bracketed, and as an IPv4-mapped `::ffff:127.…`). `0.0.0.0`, `::` and every other address are
 * reachable from elsewhere.
 *
 * @param host - the address a service binds to
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return (
    bare === 'localhost' ||
    IPV4_LOOPBACK.test(bare) ||
    IPV6_LOOPBACK.includes(bare) ||
    (bare.startsWith('::ffff:') && IPV4_LOOPBACK.test(bare.slice('::ffff:'.length)))
  );
}

/** What is published in a value: the whole value, a URL's password, or a key of an `id:key,…` list. */
function publishedPart(value: string): 'value' | 'password' | 'key' | undefined {
  if (PUBLISHED.has(value.trim())) {
    return 'value';
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      return PUBLISHED.has(decodeURIComponent(new URL(value).password)) ? 'password' : undefined;
    } catch {
      return undefined; // not a URL after all; its own schema says so
    }
  }
  const keys = value.split(',').map((item) => item.slice(item.indexOf(':') + 1).trim());
  return keys.some((key) => PUBLISHED.has(key)) ? 'key' : undefined;
}

const REASONS = {
  value: 'is a published default value; set your own (openssl rand -base64 48)',
  password: 'holds a published default password; set your own (openssl rand -hex 24)',
  key: 'holds a published default key; set your own (k1:$(openssl rand -base64 32))',
} as const;

/** Which of an app's variables hold secrets, and which one holds the address it listens on. */
export interface SecretPolicy<C> {
  /** The variable of the listen address, e.g. `HOST` or `GRPC_HOST`. */
  host: keyof C & string;
  /** Variables holding a secret, or a URL or `id:key` list with one inside. */
  secrets: ReadonlyArray<keyof C & string>;
}

/**
 * The secrets an app must not start with: unless it listens on loopback only, every variable of
 * `policy.secrets` whose value (as set, or as defaulted by the schema) is on
 * {@link PUBLISHED_SECRET_VALUES}, whole or as a URL's password or a key of an `id:key,…` list.
 * Each problem names the variable and says how to make a value; none holds the value.
 *
 * @param policy - the app's secret variables and listen-address variable
 * @param config - the parsed configuration (defaults applied)
 * @param source - the environment it was parsed from
 * @returns one problem per refused variable; empty when the app may start
 */
export function publishedSecretProblems<C>(
  policy: SecretPolicy<C>,
  config: C,
  source: NodeJS.ProcessEnv,
): ConfigProblem[] {
  if (isLoopbackHost(String(config[policy.host] ?? ''))) {
    return [];
  }
  return policy.secrets.flatMap((name) => {
    const part = [config[name], source[name]]
      .filter((v): v is string => typeof v === 'string')
      .map(publishedPart)
      .find((p) => p !== undefined);
    return part ? [{ name, reason: `${REASONS[part]} or bind to 127.0.0.1` }] : [];
  });
}
