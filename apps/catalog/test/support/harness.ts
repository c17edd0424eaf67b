import {
  createTestDatabase,
  freePort,
  GRPC_SERVICES,
  grpcTestClient,
  testServiceSettings,
} from '@yugong/shared/testing';
import { Client } from 'pg';
import { startCatalog } from '../../src/catalog.bootstrap';
import { catalogConfig } from '../../src/config/catalog.config';

const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const OFFICER = { userId: uid(1), role: 'relief_officer', producerIds: [] };
export const CONSUMER = { userId: uid(2), role: 'consumer', producerIds: [] };
export const AUDITOR = { userId: uid(3), role: 'auditor', producerIds: [] };
export const INSTITUTION = { userId: uid(4), role: 'institution', producerIds: [] };
export const ADMIN = { userId: uid(5), role: 'admin', producerIds: [] };
/** Staff of the given producers, under the user id `uid(n)`. */
export const staffOf = (n: number, ...producerIds: string[]) => ({
  userId: uid(n),
  role: 'producer_staff',
  producerIds,
});

/**
 * Catalog started in this process on `databaseUrl` (on a free port, with the test service
 * credential, silent), and a client of it. `env` adds to or overrides the settings.
 */
export async function bootCatalog(databaseUrl: string, env: NodeJS.ProcessEnv = {}) {
  const port = await freePort();
  const running = (await startCatalog(
    catalogConfig({ ...testServiceSettings('catalog', databaseUrl, port), ...env }),
  ))!;
  const address = `127.0.0.1:${port}`;
  const client = grpcTestClient(GRPC_SERVICES.catalog, address);
  return {
    address,
    client,
    close: async () => {
      client.close();
      await running.close();
    },
  };
}

export type BootedCatalog = Awaited<ReturnType<typeof bootCatalog>>;

/**
 * Catalog on a fresh database named `label`, booted by {@link bootCatalog} with `env`, and a
 * PostgreSQL client of that database; `close()` stops both and drops the database.
 */
export async function startTestCatalog(label: string, env: NodeJS.ProcessEnv = {}) {
  const db = await createTestDatabase(label);
  const catalog = await bootCatalog(db.url, env);
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  return {
    ...catalog,
    /** The catalog database. */
    url: db.url,
    sql,
    close: async () => {
      await sql.end();
      await catalog.close();
      await db.drop();
    },
  };
}

export type TestCatalog = Awaited<ReturnType<typeof startTestCatalog>>;

/** An ISO date-time `days` from now (negative: ago). */
export const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/**
 * Certifies a product as the relief office does, valid from yesterday for a year: it goes on sale.
 * Returns the certificate.
 */
export async function certify(
  client: BootedCatalog['client'],
  productId: string,
  period: { validFrom?: string; validTo?: string } = {},
) {
  const res = await client.call(
    'certifyProduct',
    { productId, validFrom: daysFromNow(-1), validTo: daysFromNow(365), ...period },
    OFFICER,
    { from: 'gateway', deadlineMs: 20_000 },
  );
  return res.certificate!;
}
