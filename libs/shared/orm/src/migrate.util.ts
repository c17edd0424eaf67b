import type { MikroORM } from '@mikro-orm/core';
import type { Migrator } from '@mikro-orm/migrations';
import { Client } from 'pg';

// One lock id for every service: each has its own database, and advisory locks are per database.
const MIGRATION_LOCK = 7_337_001;

/**
 * Applies pending migrations, holding a PostgreSQL advisory lock so that replicas booting at the
 * same time migrate one after another instead of racing. Returns the names applied.
 */
export async function migrate(orm: MikroORM, url: string): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await orm.getMigrator().up();
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

export type { Migrator };
