import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createTestDatabase, freePort } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Client } from 'pg';
// Catalog booted in-process, as it runs beside orders; the tests speak to both over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startCatalog } from '../../../catalog/src/catalog.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { catalogConfig } from '../../../catalog/src/config/catalog.config';

export const PROTO_ROOT = path.resolve(__dirname, '../../../../proto');
export const SERVICE_TOKEN = 'test-service-token-0123456789';
export const OFFICER = { userId: randomUUID(), role: 'relief_officer', producerIds: [] as string[] };
export const consumer = () => ({ userId: randomUUID(), role: 'consumer', producerIds: [] as string[] });

type Unary = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => void;
export type Stub = grpc.Client & Record<string, Unary>;
export type Call = <T>(method: string, request: unknown, who?: object | null) => Promise<T>;

export interface WireOrder {
  id: string;
  buyerId: string;
  status: string;
  total: { fen: number; currency: string };
  payment: { reference: string; amountReceived: { fen: number }; failure: string };
  refunds: { id: string; status: string; amount: { fen: number }; reference: string }[];
  lines: { id: string; productId: string; quantity: number; refundedQuantity: number }[];
}

/** The package definition of `proto/yugong/<service>/v1/<service>.proto`, as grpc-js loads it. */
export function loadContract(service: string) {
  const definition = protoLoader.loadSync(path.join(PROTO_ROOT, `yugong/${service}/v1/${service}.proto`), {
    includeDirs: [PROTO_ROOT],
    longs: Number,
    enums: String,
    defaults: true,
    arrays: true,
    oneofs: true,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return grpc.loadPackageDefinition(definition) as any;
}

/** A client of the OrdersService at `address` (with channel `options`, e.g. a short reconnect back-off). */
export function ordersStub(address: string, options?: grpc.ChannelOptions): Stub {
  const OrdersClient = loadContract('orders').yugong.orders.v1.OrdersService;
  return new OrdersClient(address, grpc.credentials.createInsecure(), options) as Stub;
}

/** Calls `stub` with the service credential, as `who` (none: the platform itself). */
export function caller(stub: Stub, deadlineMs = 30_000): Call {
  return <T>(method: string, request: unknown, who?: object | null): Promise<T> => {
    const metadata = new grpc.Metadata();
    metadata.set('x-service-token', SERVICE_TOKEN);
    if (who) {
      metadata.set('x-caller', JSON.stringify(who));
    }
    return new Promise((resolve, reject) =>
      stub[method](request, metadata, { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(err) : resolve(res as T),
      ),
    );
  };
}

export async function rejection(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

export const fieldsOf = (error: grpc.ServiceError): string[] => {
  const raw = error.metadata.get('x-error-fields')[0];
  return raw ? (JSON.parse(String(raw)) as { field: string }[]).map((f) => f.field) : [];
};

/** Catalog on a fresh database, with helpers to make verified producers and stocked products. */
export async function startTestCatalog(label: string) {
  const db = await createTestDatabase(`${label}_catalog`);
  const port = await freePort();
  const service = (await startCatalog(
    catalogConfig({
      DATABASE_URL: db.url,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
      SERVICE_TOKEN,
      LOG_LEVEL: 'silent',
      DB_POOL_MAX: '20',
    }),
  ))!;
  const stub = new (loadContract('catalog').yugong.catalog.v1.CatalogService)(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  ) as Stub;
  const call = caller(stub);
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const creditCodes = ['91350100M000100Y43', '91110000600037341L'];

  async function producer(): Promise<string> {
    const creditCode = creditCodes.shift();
    if (!creditCode) {
      throw new Error('the test catalog has two producers at most');
    }
    const res = await call<{ producer: { id: string } }>(
      'CreateProducer',
      {
        kind: 'PRODUCER_KIND_COOPERATIVE',
        legalName: `测试合作社 ${creditCode}`,
        creditCode,
        town: '王屋镇',
        village: '谭庄村',
        householdShareBps: 2000,
      },
      OFFICER,
    );
    await call('SetProducerStatus', { id: res.producer.id, status: 'PRODUCER_STATUS_VERIFIED' }, OFFICER);
    return res.producer.id;
  }

  async function product(owner: string, stock: number, priceFen = 4_850): Promise<string> {
    const res = await call<{ product: { id: string } }>(
      'CreateProduct',
      {
        producerId: owner,
        nameZh: `冷鲜兔肉 ${randomUUID().slice(0, 6)}`,
        category: 'meat',
        unit: 'kg',
        price: { fen: priceFen, currency: 'CNY' },
        status: 'PRODUCT_STATUS_ACTIVE',
      },
      OFFICER,
    );
    await call(
      'CreateLot',
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
    address: `127.0.0.1:${port}`,
    url: db.url,
    producer,
    product,
    onHand,
    held,
    close: async () => {
      stub.close();
      await sql.end();
      await service.close();
      await db.drop();
    },
  };
}
