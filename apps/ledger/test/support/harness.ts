import type { orders } from '@yugong/contracts';
import { demoId, demoSupplierHouseholds } from '@yugong/shared/demo';
import {
  createTestDatabase,
  freePort,
  GRPC_SERVICES,
  grpcTestClient,
  testServiceSettings,
  type GrpcTestClient,
  type Sent,
  type TestDatabase,
} from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
// The services the ledger calls, booted in-process on their own databases; spoken to over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startBeneficiaries } from '../../../beneficiaries/src/beneficiaries.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { beneficiariesConfig } from '../../../beneficiaries/src/config/beneficiaries.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { testEnv } from '../../../beneficiaries/test/support/harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import * as catalogHarness from '../../../catalog/test/support/harness';
import { ledgerConfig } from '../../src/config/ledger.config';
import { startLedger } from '../../src/ledger.bootstrap';

const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const OFFICER = { userId: uid(1), role: 'relief_officer', producerIds: [] as string[] };
export const AUDITOR = { userId: uid(2), role: 'auditor', producerIds: [] as string[] };
export const ADMIN = { userId: uid(3), role: 'admin', producerIds: [] as string[] };
export const buyer = () => ({ userId: randomUUID(), role: 'consumer', producerIds: [] as string[] });

export const YANGGUANG = demoId('producer', 'yangguang');
export const RUIXING = demoId('producer', 'ruixing');
export const RABBIT = demoId('product', 'yangguang/rabbit-chilled');

export type LedgerClient = GrpcTestClient<import('@yugong/contracts').ledger.LedgerServiceClient>;
export type ConsumerClient = GrpcTestClient<orders.OrderEventsConsumerServiceClient>;

/**
 * The demo region (register and catalog, seeded) the ledger splits sales against, and a lot of
 * Yangguang's rabbit meat supplied by ten households: `suppliers` with their quantities.
 */
export async function startTestRegion(label: string) {
  const registerDb = await createTestDatabase(`${label}_register`);
  const registerPort = await freePort();
  const register = (await startBeneficiaries(
    beneficiariesConfig(testEnv(registerDb.url, registerPort, { SEED_DEMO: 'true' })),
  ))!;
  const catalog = await catalogHarness.startTestCatalog(`${label}_catalog`, {
    SEED_DEMO: 'true',
    BENEFICIARIES_GRPC_URL: `127.0.0.1:${registerPort}`,
  });
  const households = demoSupplierHouseholds('yangguang').slice(0, 10);
  if (households.length < 10) {
    throw new Error(`the demo register has ${households.length} supply households of yangguang, not 10`);
  }
  const suppliers = households.map((householdId, i) => ({ householdId, quantity: 10 + i }));
  const created = await catalog.client.call(
    'createLot',
    {
      productId: RABBIT,
      lotCode: `LEDGER-${randomUUID().slice(0, 8)}`,
      producedOn: '2020-05-01',
      quantity: 1_000,
      suppliers,
    },
    catalogHarness.OFFICER,
  );
  return {
    beneficiariesAddress: `127.0.0.1:${registerPort}`,
    catalogAddress: catalog.address,
    lot: created.lot,
    suppliers,
    close: async () => {
      await catalog.close();
      await register.close();
      await registerDb.drop();
    },
  };
}

export type TestRegion = Awaited<ReturnType<typeof startTestRegion>>;

/** The ledger on `databaseUrl`, calling the given services (a closed port where none is given). */
export async function bootLedger(
  databaseUrl: string,
  services: { orders?: string; catalog?: string; beneficiaries?: string },
  settings: NodeJS.ProcessEnv = {},
) {
  const port = await freePort();
  const nowhere = `127.0.0.1:${await freePort()}`;
  const running = (await startLedger(
    ledgerConfig({
      ...testServiceSettings('ledger', databaseUrl, port),
      ORDERS_GRPC_URL: services.orders ?? nowhere,
      CATALOG_GRPC_URL: services.catalog ?? nowhere,
      BENEFICIARIES_GRPC_URL: services.beneficiaries ?? nowhere,
      SEAL_INTERVAL_MS: '100',
      CATCH_UP_INTERVAL_MS: services.orders ? '500' : '3600000',
      DB_POOL_MAX: '20',
      ...settings,
    }),
  ))!;
  const address = `127.0.0.1:${port}`;
  const client: LedgerClient = grpcTestClient(GRPC_SERVICES.ledger, address);
  // Orders' relay, as it delivers: signed by orders, for the ledger, acting for itself.
  const consumer: ConsumerClient = grpcTestClient(GRPC_SERVICES.orderEventsConsumer, address, {
    from: 'orders',
    audience: 'ledger',
  });
  return {
    app: running.app,
    address,
    client,
    consumer,
    close: async () => {
      client.close();
      consumer.close();
      await running.close();
    },
  };
}

export type BootedLedger = Awaited<ReturnType<typeof bootLedger>>;

/** A fresh ledger database, a PostgreSQL client of it, and `boot()` to start the ledger on it. */
export async function ledgerDatabase(label: string) {
  const db: TestDatabase = await createTestDatabase(label);
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  return {
    url: db.url,
    sql,
    close: async () => {
      await sql.end();
      await db.drop();
    },
  };
}

const ts = (d: Date) => ({
  seconds: Math.floor(d.getTime() / 1_000),
  nanos: (d.getTime() % 1_000) * 1_000_000,
});
const cny = (fen: number) => ({ fen, currency: 'CNY' });

/** A line of a synthetic paid order. */
export interface LineSpec {
  productId: string;
  producerId: string;
  quantity: number;
  unitPriceFen: number;
  householdShareBps: number;
  /** The lot the units came from; none: shared by benefit agreements. */
  lotId?: string;
}

/** A paid order as orders would report it, and the events it would write. */
export function paidOrder(spec: {
  lines: LineSpec[];
  method?: 'stripe' | 'manual';
  donationFen?: number;
  paidAt?: Date;
  buyerId?: string;
  /** Stripe's actual fee as orders read it from the balance transaction; absent: not known. */
  processorFeeFen?: number;
}) {
  const paidAt = spec.paidAt ?? new Date('2020-06-15T04:00:00Z');
  const id = randomUUID();
  const lines = spec.lines.map((l) => ({
    id: randomUUID(),
    productId: l.productId,
    productNameZh: '冷鲜兔肉',
    productNameEn: '',
    unit: 'kg',
    producerId: l.producerId,
    producerName: '',
    unitPrice: cny(l.unitPriceFen),
    quantity: l.quantity,
    gross: cny(l.unitPriceFen * l.quantity),
    householdShareBps: l.householdShareBps,
    allocations: l.lotId ? [{ lotId: l.lotId, lotCode: 'L', quantity: l.quantity }] : [],
    status: 'LINE_STATUS_PENDING',
    carrier: '',
    trackingNumber: '',
    refundedQuantity: 0,
    refunded: cny(0),
  }));
  const subtotal = lines.reduce((s, l) => s + l.gross.fen, 0);
  const donation = spec.donationFen ?? 0;
  const order = {
    id,
    buyerId: spec.buyerId ?? randomUUID(),
    status: 'ORDER_STATUS_PAID',
    lines,
    subtotal: cny(subtotal),
    donation: cny(donation),
    total: cny(subtotal + donation),
    payment: {
      method: spec.method === 'stripe' ? 'PAYMENT_METHOD_STRIPE' : 'PAYMENT_METHOD_MANUAL',
      reference: `ref-${id}`,
      amountReceived: cny(subtotal + donation),
      paidAt: ts(paidAt),
      failure: '',
      ...(spec.processorFeeFen === undefined ? {} : { processorFee: cny(spec.processorFeeFen) }),
    },
    refunds: [] as unknown[],
    refunded: cny(0),
  };
  let sequence = 0;
  let outboxId = 0;
  const event = (type: string, extra: object = {}): Sent<orders.OrderEvent> =>
    ({
      id: ++outboxId,
      eventId: randomUUID(),
      type,
      orderId: id,
      sequence: ++sequence,
      occurredAt: ts(new Date(paidAt.getTime() + sequence * 60_000)),
      order,
      ...extra,
    }) as Sent<orders.OrderEvent>;
  /** Money received for this order that paid nothing: refunded in full, or not its amount. */
  const receipt = (type: 'order.payment_refunded' | 'order.payment_unmatched', amountFen: number) =>
    event(type, {
      payment: {
        method: 'PAYMENT_METHOD_STRIPE',
        reference: `pi_${randomUUID().slice(0, 12)}`,
        amount: cny(amountFen),
        receivedAt: ts(paidAt),
        reason: type === 'order.payment_unmatched' ? 'not the order total' : 'the order could not be filled',
      },
    });
  return {
    order,
    total: subtotal + donation,
    receipt,
    paid: () => event('order.paid'),
    /** A succeeded refund of `quantity` units of line `index`. */
    refund: (refunds: { index: number; quantity: number }[]) =>
      event('order.refunded', {
        refund: {
          id: randomUUID(),
          orderId: id,
          lines: refunds.map((r) => ({
            lineId: lines[r.index]!.id,
            quantity: r.quantity,
            amount: cny(lines[r.index]!.unitPrice.fen * r.quantity),
          })),
          amount: cny(refunds.reduce((s, r) => s + lines[r.index]!.unitPrice.fen * r.quantity, 0)),
          reason: 'test',
          goodsReturned: false,
          status: 'succeeded',
          reference: '',
          requestedBy: '',
        },
      }),
  };
}

/** Every account's code and balance, for comparing two ledgers. */
export async function balancesOf(sql: Client): Promise<Record<string, number>> {
  const { rows } = await sql.query<{ code: string; balance_fen: string }>(
    'select code, balance_fen from account_totals order by code',
  );
  return Object.fromEntries(rows.map((r) => [r.code, Number(r.balance_fen)]));
}
