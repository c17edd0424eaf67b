import { catalog, orders } from '@yugong/contracts';
import {
  createTestDatabase,
  GRPC_SERVICES,
  grpcTestClient,
  type GrpcTestClient,
  type GrpcTestClientSettings,
  type Received,
} from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
// Catalog booted in-process, as it runs beside orders; the tests speak to both over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { bootCatalog } from '../../../catalog/test/support/harness';

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
  const db = await createTestDatabase(`${label}_catalog`);
  const service = await bootCatalog(db.url, { DB_POOL_MAX: '20' });
  const call = service.client.call;
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
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
        status: catalog.ProductStatus.PRODUCT_STATUS_ACTIVE,
      },
      OFFICER,
    );
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
    url: db.url,
    producer,
    product,
    onHand,
    held,
    close: async () => {
      await sql.end();
      await service.close();
      await db.drop();
    },
  };
}
