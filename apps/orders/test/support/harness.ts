import { catalog, orders } from '@yugong/contracts';
import {
  createTestDatabase,
  freePort,
  GRPC_SERVICES,
  grpcTestClient,
  testServiceSettings,
  type GrpcTestClient,
  type GrpcTestClientSettings,
  type Received,
} from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
// Catalog booted in-process, as it runs beside orders; the tests speak to both over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import * as catalogHarness from '../../../catalog/test/support/harness';
import { ordersConfig } from '../../src/config/orders.config';
import { startOrders } from '../../src/orders.bootstrap';

export const OFFICER = { userId: randomUUID(), role: 'relief_officer', producerIds: [] as string[] };
export const consumer = () => ({ userId: randomUUID(), role: 'consumer', producerIds: [] as string[] });

export type OrdersClient = GrpcTestClient<orders.OrdersServiceClient>;
export type WireOrder = Received<orders.Order>;

/** A client of the OrdersService at `address` (`settings`, e.g. a short reconnect back-off). */
export function ordersClient(address: string, settings?: GrpcTestClientSettings): OrdersClient {
  return grpcTestClient(GRPC_SERVICES.orders, address, settings);
}

/** Catalog on a fresh database, with helpers to make verified producers and stocked products. */
export async function startTestCatalog(label: string) {
  const service = await catalogHarness.startTestCatalog(`${label}_catalog`, { DB_POOL_MAX: '20' });
  const { sql } = service;
  const call = service.client.call;
  const creditCodes = ['91350100M000100Y43', '91110000600037341L'];

  async function producer(): Promise<string> {
    const creditCode = creditCodes.shift();
    if (!creditCode) {
      throw new Error('the test catalog has two producers at most');
    }
    const res = await call(
      'createProducer',
      {
        kind: catalog.ProducerKind.PRODUCER_KIND_COOPERATIVE,
        legalName: `测试合作社 ${creditCode}`,
        creditCode,
        town: '王屋镇',
        village: '谭庄村',
        householdShareBps: 2000,
      },
      OFFICER,
    );
    await call(
      'setProducerStatus',
      { id: res.producer.id, status: catalog.ProducerStatus.PRODUCER_STATUS_VERIFIED },
      OFFICER,
    );
    return res.producer.id;
  }

  async function product(owner: string, stock: number, priceFen = 4_850): Promise<string> {
    const res = await call(
      'createProduct',
      {
        producerId: owner,
        nameZh: `冷鲜兔肉 ${randomUUID().slice(0, 6)}`,
        category: 'meat',
        unit: 'kg',
        price: { fen: priceFen, currency: 'CNY' },
      },
      OFFICER,
    );
    await catalogHarness.certify(service.client, res.product.id);
    await call(
      'createLot',
      {
        productId: res.product.id,
        lotCode: `L-${randomUUID().slice(0, 8)}`,
        producedOn: '2026-11-01',
        quantity: stock,
      },
      OFFICER,
    );
    return res.product.id;
  }

  async function onHand(productId: string): Promise<number> {
    const { rows } = await sql.query<{ n: string }>(
      'select coalesce(sum(on_hand), 0) as n from lot where product_id = $1',
      [productId],
    );
    return Number(rows[0].n);
  }

  /** Units of the product held for unpaid orders. */
  async function held(productId: string): Promise<number> {
    const { rows } = await sql.query<{ n: string }>(
      `select coalesce(sum(quantity), 0) as n from stock_hold where product_id = $1 and status = 'held'`,
      [productId],
    );
    return Number(rows[0].n);
  }

  return {
    address: service.address,
    url: service.url,
    /** A PostgreSQL client of the catalog database. */
    sql,
    producer,
    product,
    onHand,
    held,
    close: service.close,
  };
}

export type TestCatalog = Awaited<ReturnType<typeof startTestCatalog>>;

/**
 * Orders started in this process on `databaseUrl`, calling the catalog at `catalogAddress` (on a
 * free port, with its test key, silent), and a client of it. `settings` adds to or
 * overrides the settings. The whole environment is given, so neither a REDIS_URL of the machine
 * running the tests nor anything else of it is read: pass `REDIS_URL` for a Redis.
 */
export async function bootOrders(
  databaseUrl: string,
  catalogAddress: string,
  settings: NodeJS.ProcessEnv = {},
) {
  const port = await freePort();
  const running = (await startOrders(
    ordersConfig({
      ...testServiceSettings('orders', databaseUrl, port),
      CATALOG_GRPC_URL: catalogAddress,
      ...settings,
    }),
  ))!;
  const client = ordersClient(`127.0.0.1:${port}`);
  return {
    app: running.app,
    /** `127.0.0.1:port` of its gRPC server. */
    address: `127.0.0.1:${port}`,
    client,
    call: client.call,
    close: async () => {
      client.close();
      await running.close();
    },
  };
}

export type BootedOrders = Awaited<ReturnType<typeof bootOrders>>;

/**
 * Orders on a fresh database beside a {@link startTestCatalog} catalog (both named after
 * `label`), booted by {@link bootOrders} with `settings`, and a PostgreSQL client of its database.
 * `replica()` starts another orders on the same database and catalog; `close()` stops them all.
 */
export async function startTestOrders(label: string, settings: NodeJS.ProcessEnv = {}) {
  const [catalog, db] = await Promise.all([startTestCatalog(label), createTestDatabase(label)]);
  const orders = await bootOrders(db.url, catalog.address, settings);
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const replicas = new Set<BootedOrders>();
  return {
    ...orders,
    /** The orders database. */
    url: db.url,
    sql,
    catalog,
    /** Another orders with only `settings` added to the defaults; stopped by `close()` if still running. */
    replica: async (replicaSettings: NodeJS.ProcessEnv = {}): Promise<BootedOrders> => {
      const replica = await bootOrders(db.url, catalog.address, replicaSettings);
      replicas.add(replica);
      return {
        ...replica,
        close: async () => {
          replicas.delete(replica);
          await replica.close();
        },
      };
    },
    close: async () => {
      await sql.end();
      for (const replica of [...replicas].reverse()) {
        await replica.close();
      }
      await orders.close();
      await catalog.close();
      await db.drop();
    },
  };
}

export type TestOrders = Awaited<ReturnType<typeof startTestOrders>>;
