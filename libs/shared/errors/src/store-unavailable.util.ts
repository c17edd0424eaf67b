/**
 * Whether `error` says the database or Redis could not be reached or went away mid-request
 * (refused or reset connections, a server shutting down or starting up, a database not accepting
 * connections, no connection free in the pool, a full disk, Redis retries used up), as opposed to a bug or a refused statement. Such a request may succeed when tried again: it is
 * answered UNAVAILABLE / 503, not INTERNAL / 500. Looks through `cause` and MikroORM's `previous`.
 */
export function isStoreUnavailable(error: unknown): boolean {
  return unavailableStore(error) !== undefined;
}

/**
 * Which store {@link isStoreUnavailable} found out of reach: `cache` for Redis (ioredis's errors),
 * `database` for PostgreSQL and anything else; undefined when `error` is not such an error. What
 * a 503 names (`orders database unavailable`), never an address.
 */
export function unavailableStore(error: unknown, depth = 0): 'database' | 'cache' | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) {
    return undefined;
  }
  const e = error as {
    code?: unknown;
    sqlState?: unknown;
    message?: unknown;
    cause?: unknown;
    previous?: unknown;
  };
  if ((e as { name?: unknown }).name === 'MaxRetriesPerRequestError') {
    return 'cache'; // ioredis: Redis did not answer within the retries a command may take
  }
  if (typeof e.message === 'string' && REDIS_MESSAGES.some((m) => m.test(e.message as string))) {
    return 'cache';
  }
  for (const code of [e.code, e.sqlState]) {
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))
    ) {
      return 'database';
    }
  }
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) {
    return 'database';
  }
  return unavailableStore(e.cause, depth + 1) ?? unavailableStore(e.previous, depth + 1);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections,
 * 53100 disk_full (the write is refused whole; it may pass once space is freed). Class 08 is
 * connection exceptions.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53100']);

// MikroORM puts the statement first (`COMMIT; - Connection terminated unexpectedly`).
const MESSAGES = [
  /Connection terminated/,
  /terminating connection due to (administrator command|crash of another server process)/,
  // knex, when the connection under an open transaction was lost and the transaction's next
  // statement finds it already rolled back.
  /Transaction query already complete/,
  /Client has encountered a connection error/,
  /Knex: Timeout acquiring a connection/,
  /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/,
  // ALTER DATABASE … ALLOW_CONNECTIONS false (55000, a class too wide to take whole).
  /database ".*" is not currently accepting connections/,
];

// ioredis, a command on a connection that is gone.
const REDIS_MESSAGES = [/Connection is closed\.$/];
