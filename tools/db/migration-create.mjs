#!/usr/bin/env node
// Generates the next migration of one service from the difference between its entities and its
// committed schema snapshot: `npm run db:migration -- catalog [name]`. Builds first, works on a
// scratch database, and writes apps/<svc>/migrations/Migration<timestamp>[_name].ts; add the new
// class to apps/<svc>/migrations/index.ts.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const [service, name] = process.argv.slice(2);
if (!service) {
  console.error('usage: npm run db:migration -- <service> [name]');
  process.exit(2);
}
const { build } = await import(path.join(root, 'tools/runtime/build.mjs')).catch(() => ({
  build: async () => undefined,
}));
await build();

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const scratch = `migration_${service}_${Date.now()}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${scratch}`);
const url = new URL(serverUrl);
url.pathname = `/${scratch}`;
try {
  const { MikroORM } = require('@mikro-orm/postgresql');
  const { ormOptions } = require(path.join(root, 'dist/libs/shared/orm/src/index.js'));
  const appModule = require(path.join(root, `dist/apps/${service}/src/${service}.entities.js`));
  const entities = appModule[`${service.toUpperCase()}_ENTITIES`];
  const { migrations } = require(path.join(root, `dist/apps/${service}/migrations/index.js`));
  const migrationsPath = path.join(root, 'apps', service, 'migrations');
  const orm = await MikroORM.init(ormOptions({ url: url.toString(), entities, migrations, migrationsPath }));
  try {
    const migrator = orm.getMigrator();
    await migrator.up();
    const result = await migrator.createMigration(migrationsPath, false, false, name);
    console.log(
      result.fileName
        ? `wrote ${path.join('apps', service, 'migrations', result.fileName)}`
        : 'no changes: schema matches the entities',
    );
  } finally {
    await orm.close(true);
  }
} finally {
  await admin.query(`drop database if exists ${scratch} with (force)`);
  await admin.end();
}
