import type { z } from 'zod';

import { ConfigError, type ConfigProblem } from './config.errors';
import { publishedSecretProblems, type SecretPolicy } from './published-secrets.util';

const SENSITIVE_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|KEY|CREDENTIAL/i;
const MAX_SHOWN_LENGTH = 60;

/**
 * Whether a variable's value must never be printed: its name holds SECRET, TOKEN, PASSWORD, KEY
 * (or PASSWD, CREDENTIAL), in any case.
 *
 * @param name - the variable's name
 */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

/** The value as it may appear in a message: any password inside a URL masked, long values cut. */
function shown(value: string): string {
  const masked = value.replace(/(\/\/[^/:@\s]*:)[^@/\s]*@/g, '$1***@');
  return JSON.stringify(masked.length > MAX_SHOWN_LENGTH ? `${masked.slice(0, MAX_SHOWN_LENGTH)}…` : masked);
}

function problemsOf(issues: readonly z.core.$ZodIssue[], source: NodeJS.ProcessEnv): ConfigProblem[] {
  const byName = new Map<string, string>();
  for (const issue of issues) {
    const name = issue.path.length > 0 ? String(issue.path[0]) : '(config)';
    if (byName.has(name)) {
      continue;
    }
    const value = issue.path.length > 0 ? source[name] : undefined;
    if (issue.path.length > 0 && (value === undefined || value.trim() === '')) {
      byName.set(name, 'is missing');
    } else if (value === undefined || isSensitiveName(name)) {
      byName.set(name, issue.message);
    } else {
      byName.set(name, `${issue.message} (got ${shown(value)})`);
    }
  }
  return [...byName].map(([name, reason]) => ({ name, reason }));
}

/**
 * Reads an app's typed configuration from the environment, validated by a zod schema (usually a
 * `z.object` of {@link env} builders keyed by variable name, optionally `.transform`ed into the
 * shape the app likes).
 *
 * @param schema - the app's config schema
 * @param source - the variables to read; `process.env` by default (this library is the only code
 *   that touches `process.env`)
 * @param secrets - the app's secret variables and listen address: when given, a secret with a
 *   published default value is refused unless the app listens on loopback only
 * @returns the parsed configuration
 * @throws {@link ConfigError} listing every bad or missing variable by name and reason, without the
 *   value of any secret
 */
export function loadConfig<T extends z.ZodType>(
  schema: T,
  source: NodeJS.ProcessEnv = process.env,
  secrets?: SecretPolicy<z.infer<T>>,
): z.infer<T> {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new ConfigError(problemsOf(result.error.issues, source));
  }
  const published = secrets ? publishedSecretProblems(secrets, result.data as z.infer<T>, source) : [];
  if (published.length > 0) {
    throw new ConfigError(published);
  }
  return result.data;
}
