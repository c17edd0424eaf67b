import { Client } from 'pg';
import { createTestDatabase, testDatabaseName, type TestDatabase } from './test-database';

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe(createTestDatabase.name, () => {
  let sut: TestDatabase;

  beforeAll(async () => {
    sut = await createTestDatabase('shared testing/Spec');
  });

  afterAll(async () => {
    await sut?.drop();
  });

  it('creates a uniquely named database and returns its URL', async () => {
    expect(sut.name).toMatch(/^t_shared_testing_spec_[0-9a-f]{12}$/);
    const [row] = await query<{ db: string; encoding: string }>(
      sut.url,
      'SELECT current_database() AS db, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()',
    );
    expect(row).toEqual({ db: sut.name, encoding: 'UTF8' });
  });

  it('starts empty', async () => {
    const rows = await query<{ n: number }>(
      sut.url,
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('drops the database even while a connection is open', async () => {
    const other = await createTestDatabase('dropped');
    const open = new Client({ connectionString: other.url });
    open.on('error', () => undefined); // terminated by drop()
    await open.connect();
    await other.drop();
    await other.drop(); // twice is fine
    const rows = await query(
      process.env['DATABASE_URL'] as string,
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [other.name],
    );
    expect(rows).toHaveLength(0);
    await open.end().catch(() => undefined);
  });
});

describe(testDatabaseName.name, () => {
  it('keeps names lower-case, safe and within 63 characters', () => {
    const name = testDatabaseName(
      'A very LONG label, with spaces & symbols — and more text to push it past the limit',
    );
    expect(name).toMatch(/^t_[a-z0-9_]+_[0-9a-f]{12}$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(testDatabaseName('x')).not.toBe(testDatabaseName('x'));
  });
});
