import { Entity, MikroORM, PrimaryKey } from '@mikro-orm/postgresql';
import { createTestDatabase, type TestDatabase } from '@yugong/shared/testing';
import { Client } from 'pg';
import { ormOptions } from '../src';

/** The ORM wants one entity; no table of it is made or read. */
@Entity({ tableName: 'probe' })
class Probe {
  @PrimaryKey({ type: 'integer' })
  id!: number;
}

/** Backends connected to `database` other than the asking one. */
async function backendsOf(admin: Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    'select count(*) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [database],
  );
  return Number(rows[0]!.n);
}

describe('ormOptions pool', () => {
  let db: TestDatabase;
  let admin: Client;

  beforeAll(async () => {
    db = await createTestDatabase('shared orm/pool idle');
    admin = new Client({ connectionString: process.env['DATABASE_URL'] });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('closes connections idle longer than poolIdleMs, and opens one again when asked', async () => {
    const database = new URL(db.url).pathname.slice(1);
    const orm = await MikroORM.init(
      ormOptions({ url: db.url, entities: [Probe], migrations: [], poolMax: 2, poolIdleMs: 300 }),
    );
    try {
      const connection = orm.em.getConnection();
      // Two at once: the pool grows to its bound.
      await Promise.all([
        connection.execute('select pg_sleep(0.05)'),
        connection.execute('select pg_sleep(0.05)'),
      ]);
      expect(await backendsOf(admin, database)).toBe(2);

      const deadline = Date.now() + 5_000;
      while ((await backendsOf(admin, database)) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await backendsOf(admin, database)).toBe(0);

      expect(await connection.execute('select 1 as one')).toEqual([{ one: 1 }]);
      expect(await backendsOf(admin, database)).toBe(1);
    } finally {
      await orm.close();
    }
  });

  it('keeps idle connections for 30 s unless told otherwise', () => {
    expect(ormOptions({ url: db.url, entities: [Probe], migrations: [] }).pool).toMatchObject({
      min: 0,
      max: 10,
      idleTimeoutMillis: 30_000,
    });
  });
});
