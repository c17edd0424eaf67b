import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Constructor, EntityClass, MigrationObject } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';

/** What a service tells the ORM about itself. */
export interface OrmSettings {
  /** The service's own database, e.g. postgres://postgres@127.0.0.1:5432/yugong_catalog. */
  url: string;
  entities: EntityClass<unknown>[];
  /** The service's migrations in order (apps/<svc>/migrations/index.ts). */
  migrations: (MigrationObject | Constructor<Migration>)[];
  /** Folder migrations are generated into, for the generator script only. */
  migrationsPath?: string;
  poolMax?: number;
  /** A connection idle this long is closed (30 s). */
  poolIdleMs?: number;
  debug?: boolean;
}

/**
 * MikroORM options shared by every service: PostgreSQL, explicit entity and migration lists (no
 * globbing, so the same list works from sources under Jest and from the SWC build), no global
 * EntityManager (every request or RPC forks its own), UTC timestamps.
 */
export function ormOptions(settings: OrmSettings): Options {
  return defineConfig({
    clientUrl: settings.url,
    entities: settings.entities,
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: settings.debug ?? false,
    pool: { min: 0, max: settings.poolMax ?? 10, idleTimeoutMillis: settings.poolIdleMs ?? 30_000 },
    migrations: {
      migrationsList: settings.migrations,
      path: settings.migrationsPath,
      pathTs: settings.migrationsPath,
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      // Only the generator reads and writes the committed snapshot: MikroORM otherwise rewrites it
      // from the live database after every migration run, editing the source tree at boot.
      snapshot: settings.migrationsPath !== undefined,
      snapshotName: '.schema-snapshot',
      silent: true,
    },
  });
}
