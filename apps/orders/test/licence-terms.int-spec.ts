import * as grpc from '@grpc/grpc-js';
import { GRPC_SERVICES, orders } from '@yugong/contracts';
import {
  createTestDatabase,
  describeWithRedis,
  expectRejection,
  freePort,
  grpcTestClient,
  testRedisUrl,
  uniqueRedisPrefix,
  type TestDatabase,
} from '@yugong/shared/testing';
import { CacheNamespace } from '@yugong/shared/cache';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
// Licensing, which orders asks for the terms at checkout, booted in-process; spoken to over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { bootLicensing, OFFICER as LICENSING_OFFICER } from '../../licensing/test/support/harness';
import { bootOrders, consumer, startTestOrders, type BootedOrders, type TestOrders } from './support/harness';

// Carts and checkout locks live in Redis: without one there is no orders service to test.
describeWithRedis('orders: LOGO licence terms at checkout', () => {
  let service: TestOrders;
  let licensingDb: TestDatabase;
  let licensing: Awaited<ReturnType<typeof bootLicensing>>;
  let unreachable: BootedOrders;
  let producerId: string;
  let licensingSql: Client;
  let redis: Redis;

  beforeAll(async () => {
    licensingDb = await createTestDatabase('orders_licence_terms_licensing');
    const shared = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: uniqueRedisPrefix('orders_licence') };
    // Orders needs licensing's address before licensing needs catalog's: take its port first.
    const licensingPort = await freePort();
    service = await startTestOrders('orders_licence_terms', {
      ...shared,
      LICENSING_GRPC_URL: `127.0.0.1:${licensingPort}`,
    });
    // Licensing moves the terms version in the same Redis, so orders keeps what it is told.
    licensing = await bootLicensing(licensingDb.url, service.catalog.address, {
      ...shared,
      GRPC_PORT: String(licensingPort),
    });
    licensingSql = new Client({ connectionString: licensingDb.url });
    await licensingSql.connect();
    redis = new Redis(testRedisUrl()!, { keyPrefix: shared.REDIS_KEY_PREFIX });
    // A replica whose licensing never answers.
    unreachable = await bootOrders(service.url, service.catalog.address, {
      ...shared,
      LICENSING_GRPC_URL: `127.0.0.1:${await freePort()}`,
      GRPC_DEADLINE_MS: '500',
    });
    producerId = await service.catalog.producer();
  });

  afterAll(async () => {
    redis?.disconnect();
    await licensingSql?.end();
    await unreachable?.close();
    await licensing?.close();
    await service?.close();
    await licensingDb?.drop();
  });

  const checkout = (
    stub: BootedOrders['call'],
    buyer: ReturnType<typeof consumer>,
    productId: string,
    quantity: number,
  ) =>
    stub('addCartItem', { productId, quantity }, buyer).then(() =>
      stub(
        'checkout',
        {
          idempotencyKey: randomBytes(12).toString('base64url'),
          paymentMethod: orders.PaymentMethod.PAYMENT_METHOD_MANUAL,
        },
        buyer,
      ),
    );

  /** A licence of `productIds` applied for by the producer's staff and approved, by default valid from yesterday to tomorrow. */
  const grantLicence = async (
    productIds: string[],
    commitmentBps: number,
    minPerUnitFen: number,
    validity = { from: Date.now() - 86_400_000, to: Date.now() + 86_400_000 },
  ) => {
    const staff = { userId: randomUUID(), role: 'producer_staff', producerIds: [producerId] };
    const { licence } = await licensing.client.call(
      'applyForLicence',
      {
        producerId,
        productIds,
        commitmentBps,
        minPerUnit: { fen: minPerUnitFen, currency: 'CNY' },
        note: '',
      },
      staff,
    );
    const approved = await licensing.client.call(
      'changeLicenceStatus',
      {
        id: licence!.id,
        action: 'LICENCE_ACTION_APPROVE' as never,
        validFrom: new Date(validity.from).toISOString(),
        validTo: new Date(validity.to).toISOString(),
      },
      LICENSING_OFFICER,
    );
    return approved.licence!;
  };

  it('snapshots the terms of the licence covering each product on its line, and none on the others', async () => {
    const licensed = await service.catalog.product(producerId, 20, 6_800);
    const plain = await service.catalog.product(producerId, 20, 4_850);
    const licence = await grantLicence([licensed], 250, 100);
    const buyer = consumer();
    await service.call('addCartItem', { productId: plain, quantity: 1 }, buyer);
    const { order } = await checkout(service.call, buyer, licensed, 2);
    const byProduct = new Map(order!.lines.map((l) => [l.productId, l]));
    expect(byProduct.get(licensed)!.licence).toEqual({
      licenceId: licence.id,
      licenceNumber: licence.number,
      commitmentBps: 250,
      minPerUnit: { fen: 100, currency: 'CNY' },
    });
    expect(byProduct.get(plain)!.licence ?? null).toBeNull();
    const { rows } = await service.sql.query(
      `select product_id, licence_id, licence_number, licence_commitment_bps, licence_min_per_unit_fen
         from order_line where order_id = $1`,
      [order!.id],
    );
    expect(rows.find((r) => r.product_id === licensed)).toMatchObject({
      licence_id: licence.id,
      licence_number: licence.number,
      licence_commitment_bps: 250,
      licence_min_per_unit_fen: '100',
    });
    expect(rows.find((r) => r.product_id === plain)).toMatchObject({
      licence_id: null,
      licence_commitment_bps: 0,
    });

    // Suspending the licence after the sale changes nothing of it; the next sale carries no terms.
    await licensing.client.call(
      'changeLicenceStatus',
      { id: licence.id, action: 'LICENCE_ACTION_SUSPEND' as never, reason: 'audit' },
      LICENSING_OFFICER,
    );
    const { order: later } = await checkout(service.call, consumer(), licensed, 1);
    expect(later!.lines[0]!.licence ?? null).toBeNull();
    const again = await service.call('getOrder', { id: order!.id }, buyer);
    expect(again.order!.lines.find((l) => l.productId === licensed)!.licence?.commitmentBps).toBe(250);
  });

  it('gives concurrent checkouts, asked together, each the terms of its own products only', async () => {
    const licensedAt = async (commitmentBps: number) => {
      const productId = await service.catalog.product(producerId, 50, 1_000);
      const licence = await grantLicence([productId], commitmentBps, 0);
      return { productId, licenceId: licence.id, commitmentBps };
    };
    const products = [
      await licensedAt(300),
      await licensedAt(700),
      { productId: await service.catalog.product(producerId, 50, 1_000), licenceId: null, commitmentBps: 0 },
    ];
    const sales = Array.from({ length: 24 }, (_, i) => products[i % products.length]!);
    const orders = await Promise.all(sales.map((p) => checkout(service.call, consumer(), p.productId, 1)));
    orders.forEach(({ order }, i) => {
      expect(
        order!.lines.map((l) => [l.productId, l.licence?.licenceId ?? null, l.licence?.commitmentBps ?? 0]),
      ).toEqual([[sales[i]!.productId, sales[i]!.licenceId, sales[i]!.commitmentBps]]);
    });
  });

  it('keeps the terms it was told while the terms version stands, and asks again once it moves', async () => {
    const productId = await service.catalog.product(producerId, 20, 1_000);
    const plain = await service.catalog.product(producerId, 20, 1_000);
    const licence = await grantLicence([productId], 250, 0);
    const terms = async (id: string) =>
      (await checkout(service.call, consumer(), id, 1)).order!.lines[0]!.licence?.commitmentBps ?? 0;
    expect(await terms(productId)).toBe(250);
    expect(await terms(plain)).toBe(0);
    // Changed behind licensing's back (no move, so no version moved): orders keeps what it was
    // told, of the licensed product and of the one no licence covered.
    await licensingSql.query('update licence set commitment_bps = 999 where id = $1', [licence.id]);
    await licensingSql.query(
      'insert into licence_product (licence_id, product_id, live) values ($1, $2, true)',
      [licence.id, plain],
    );
    expect(await terms(productId)).toBe(250);
    expect(await terms(plain)).toBe(0);
    // As licensing does after every move of a licence: the version moves, the next batch asks.
    await redis.incr(`${CacheNamespace.licenceTerms}:version`);
    expect(await terms(productId)).toBe(999);
    expect(await terms(plain)).toBe(999);
  });

  it('applies a licence from its start and no more after its end, with no move of either', async () => {
    const ending = await service.catalog.product(producerId, 20, 1_000);
    const starting = await service.catalog.product(producerId, 20, 1_000);
    const plain = await service.catalog.product(producerId, 20, 1_000);
    // Far enough ahead for the two grants and the sales before it on a busy machine.
    const boundary = Date.now() + 6_000;
    const ends = await grantLicence([ending], 300, 0, { from: Date.now() - 86_400_000, to: boundary });
    const starts = await grantLicence([starting], 700, 0, { from: boundary, to: Date.now() + 86_400_000 });
    // Licensing says how long its answer holds: until the licence's start, or end; a day for none.
    const asOrders = grpcTestClient(GRPC_SERVICES.licensing, licensing.address, { from: 'orders' });
    try {
      const holdsFor = async (productId: string) => {
        const before = Date.now();
        const { standsForMs } = await asOrders.call(
          'getLicenceTerms',
          { productIds: [productId] },
          'service',
        );
        const after = Date.now();
        return { standsForMs, earliest: boundary - after - 1, latest: boundary - before + 1 };
      };
      for (const productId of [ending, starting]) {
        const { standsForMs, earliest, latest } = await holdsFor(productId);
        expect(standsForMs).toBeGreaterThanOrEqual(earliest);
        expect(standsForMs).toBeLessThanOrEqual(latest);
      }
      expect((await holdsFor(plain)).standsForMs).toBe(86_400_000);
    } finally {
      asOrders.close();
    }
    const licenceOnSale = async (productId: string) =>
      (await checkout(service.call, consumer(), productId, 1)).order!.lines[0]!.licence?.licenceId ?? null;
    expect([await licenceOnSale(ending), await licenceOnSale(starting)]).toEqual([ends.id, null]);
    expect([await licenceOnSale(ending), await licenceOnSale(starting)]).toEqual([ends.id, null]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, boundary + 250 - Date.now())));
    expect([await licenceOnSale(ending), await licenceOnSale(starting)]).toEqual([null, starts.id]);
  });

  it('fails the checkout and gives the hold back when licensing cannot be asked', async () => {
    const productId = await service.catalog.product(producerId, 5);
    const buyer = consumer();
    const refused = await expectRejection(
      checkout(unreachable.call, buyer, productId, 2),
      grpc.status.UNAVAILABLE,
    );
    expect(refused.metadata.get('x-error-code')[0]).toBe('LICENSING_UNAVAILABLE');
    expect(await service.catalog.held(productId)).toBe(0);
    expect(await service.catalog.onHand(productId)).toBe(5);
    const { rows } = await service.sql.query(
      'select count(*)::int as n from order_line where product_id = $1',
      [productId],
    );
    expect(rows[0].n).toBe(0);
  });
});
