import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A fresh, empty database created for one test file. */
export interface TestDatabase {
  /** Connection URL of the new database (same server and credentials as `DATABASE_URL`). */
  url: string;
  /** Its name, `t_<label>_<random>`. */
  name: string;
  /** Terminates every connection to it and drops it. Safe to call twice. */
  drop(): Promise<void>;
}

const MAX_IDENTIFIER = 63;

/** The PostgreSQL server URL tests run against (`DATABASE_URL`, set by `npm test`). */
export function testServerUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) {
    throw new Error('DATABASE_URL is not set: run tests with `npm test`, which provides a PostgreSQL server');
  }
  return url;
}

/** `t_<label>_<random>`: lower-case, only [a-z0-9_], at most 63 characters. */
export function testDatabaseName(label: string): string {
  const suffix = randomBytes(6).toString('hex');
  const room = MAX_IDENTIFIER - 't__'.length - suffix.length;
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, room);
  return `t_${clean || 'db'}_${suffix}`;
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
}

async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a fresh, uniquely named, empty UTF-8 database on the server in `DATABASE_URL`.
 * Call it in `beforeAll` so that every test file has a database of its own, and `drop()` it in
 * `afterAll`.
 *
 * @param label names the database after the test file, e.g. `catalog_products`
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const name = testDatabaseName(label);
  await onServer(serverUrl, (client) =>
    client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8'`),
  );
  let dropped: Promise<void> | undefined;
  return {
    url: withDatabase(serverUrl, name),
    name,
    drop: () =>
      (dropped ??= onServer(serverUrl, async (client) => {
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}`);
      })),
  };
}
