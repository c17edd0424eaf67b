import type { licensing } from '@yugong/contracts';
import { demoId } from '@yugong/shared/demo';
import {
  createTestDatabase,
  freePort,
  GRPC_SERVICES,
  grpcTestClient,
  testServiceSettings,
  type GrpcTestClient,
} from '@yugong/shared/testing';
import { Client } from 'pg';
// Catalog, which licensing asks and tells, booted in-process on its own database; spoken to over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import * as catalogHarness from '../../../catalog/test/support/harness';
import { licensingConfig } from '../../src/config/licensing.config';
import { startLicensing } from '../../src/licensing.bootstrap';

const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const OFFICER = { userId: uid(101), role: 'relief_officer', producerIds: [] as string[] };
export const OFFICER_2 = { userId: uid(102), role: 'relief_officer', producerIds: [] as string[] };
export const AUDITOR = { userId: uid(103), role: 'auditor', producerIds: [] as string[] };
export const ADMIN = { userId: uid(104), role: 'admin', producerIds: [] as string[] };
export const CONSUMER = { userId: uid(105), role: 'consumer', producerIds: [] as string[] };

export const YANGGUANG = demoId('producer', 'yangguang');
export const RUIXING = demoId('producer', 'ruixing');
export const RABBIT = demoId('product', 'yangguang/rabbit-chilled');
export const RABBIT_HEADS = demoId('product', 'yangguang/rabbit-heads');
export const GOAT = demoId('product', 'ruixing/goat-meat');
export const YANGGUANG_STAFF = { userId: uid(106), role: 'producer_staff', producerIds: [YANGGUANG] };
export const RUIXING_STAFF = { userId: uid(107), role: 'producer_staff', producerIds: [RUIXING] };

/** The key test labels are tagged with (a code tagged with another key is forged). */
export const LABEL_TAG_KEY = 'label-tag-key-of-the-tests-0123456789-abcdef';

export type LicensingClient = GrpcTestClient<licensing.LicensingServiceClient>;

/** Licensing on `databaseUrl`, calling catalog at `catalogAddress`, and a client of it (as the gateway). */
export async function bootLicensing(
  databaseUrl: string,
  catalogAddress: string,
  env: NodeJS.ProcessEnv = {},
) {
  // A GRPC_PORT in `env` is kept (a caller that had to tell another service the address first).
  const port = env.GRPC_PORT ? Number(env.GRPC_PORT) : await freePort();
  const running = (await startLicensing(
    licensingConfig({
      ...testServiceSettings('licensing', databaseUrl, port),
      CATALOG_GRPC_URL: catalogAddress,
      LICENCE_EXPIRY_INTERVAL_MS: '3600000',
      LABEL_TAG_KEY: LABEL_TAG_KEY,
      PUBLIC_WEB_URL: 'https://yugong.example',
      ...env,
    }),
  ))!;
  const address = `127.0.0.1:${port}`;
  const client: LicensingClient = grpcTestClient(GRPC_SERVICES.licensing, address);
  return {
    app: running.app,
    address,
    client,
    close: async () => {
      client.close();
      await running.close();
    },
  };
}

/**
 * The demo catalog (seeded, every product certified) and licensing on fresh databases, with a
 * PostgreSQL client of licensing's; `close()` stops both and drops the databases.
 */
export async function startTestLicensing(label: string, env: NodeJS.ProcessEnv = {}) {
  const catalog = await catalogHarness.startTestCatalog(`${label}_catalog`, { SEED_DEMO: 'true' });
  const db = await createTestDatabase(label);
  const licensing = await bootLicensing(db.url, catalog.address, env);
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  return {
    ...licensing,
    catalog,
    url: db.url,
    sql,
    close: async () => {
      await sql.end();
      await licensing.close();
      await db.drop();
      await catalog.close();
    },
  };
}

export type TestLicensing = Awaited<ReturnType<typeof startTestLicensing>>;

/** A pending application of Yangguang's over its chilled rabbit and rabbit heads: 2 % and ¥0.50 a unit. */
export async function applyForRabbit(t: TestLicensing, productIds = [RABBIT, RABBIT_HEADS]) {
  const res = await t.client.call(
    'applyForLicence',
    {
      producerId: YANGGUANG,
      productIds,
      commitmentBps: 200,
      minPerUnit: { fen: 50, currency: 'CNY' },
      note: '2020 rabbit line',
    },
    YANGGUANG_STAFF,
  );
  return res.licence!;
}

/** An ISO date-time `days` from now (negative: ago). */
export const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** Approves a licence as an officer, valid from yesterday for a year. */
export async function approve(t: TestLicensing, id: string, validTo = daysFromNow(365)) {
  const res = await t.client.call(
    'changeLicenceStatus',
    { id, action: 'LICENCE_ACTION_APPROVE' as never, reason: '', validFrom: daysFromNow(-1), validTo },
    OFFICER,
  );
  return res.licence!;
}
