/** One bad or missing environment variable and what is wrong with it. */
export interface ConfigProblem {
  /** The variable's name, e.g. `DATABASE_URL`. */
  name: string;
  /** Why it was refused, e.g. `is missing` or `must be a URL (got "localhost")`. */
  reason: string;
}

/**
 * The configuration of an app is not usable. The message lists every bad or missing variable by
 * name and reason, and never holds the value of a secret.
 */
export class ConfigError extends Error {
  /** @param problems - every variable at fault */
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        `Invalid configuration (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):`,
        ...problems.map((p) => `  - ${p.name}: ${p.reason}`),
      ].join('\n'),
    );
    this.name = 'ConfigError';
  }
}
