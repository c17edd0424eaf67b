import * as grpc from '@grpc/grpc-js';
import {
  createTestDatabase,
  describeWithRedis,
  freePort,
  testRedisUrl,
  uniqueRedisPrefix,
} from '@yugong/shared/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
// Catalog booted in-process, as it runs beside orders; the tests speak to both over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startCatalog, type RunningCatalog } from '../../catalog/src/catalog.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { catalogConfig } from '../../catalog/src/config/catalog.config';
import { ordersConfig } from '../src/config/orders.config';
import {
  caller,
  consumer,
  fieldsOf,
  loadContract,
  OFFICER,
  rejection,
  SERVICE_TOKEN,
  type Stub,
} from './support/harness';
import { startOrders, type RunningOrders } from '../src/orders.bootstrap';

const AUDITOR = { userId: randomUUID(), role: 'auditor', producerIds: [] };

interface WireOrder {
  id: string;
  buyerId: string;
  status: string;
  lines: { productId: string; producerId: string; quantity: number; gross: { fen: number } }[];
  subtotal: { fen: number };
  donation: { fen: number };
  total: { fen: number };
  payment: { reference: string; amountReceived: { fen: number } };
}

// Carts and checkout locks live in Redis: without one there is no orders service to test.
describeWithRedis('orders over gRPC', () => {
  let catalogDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let ordersDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let catalogService: RunningCatalog;
  let ordersService: RunningOrders;
  let quickOrders: RunningOrders;
  let catalogStub: Stub;
  let ordersStub: Stub;
  let quickStub: Stub;
  let catalogSql: Client;
  let ordersSql: Client;
  let callCatalog: ReturnType<typeof caller>;
  let call: ReturnType<typeof caller>;
  let producerId: string;
  let otherProducerId: string;

  beforeAll(async () => {
    [catalogDb, ordersDb] = await Promise.all([
      createTestDatabase('orders_catalog'),
      createTestDatabase('orders'),
    ]);
    const catalogPort = await freePort();
    catalogService = (await startCatalog(
      catalogConfig({
        DATABASE_URL: catalogDb.url,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(catalogPort),
        SERVICE_TOKEN,
        LOG_LEVEL: 'silent',
        DB_POOL_MAX: '20',
      }),
    ))!;
    const prefix = uniqueRedisPrefix('orders');
    const base = {
      DATABASE_URL: ordersDb.url,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      GRPC_HOST: '127.0.0.1',
      SERVICE_TOKEN,
      CATALOG_GRPC_URL: `127.0.0.1:${catalogPort}`,
      LOG_LEVEL: 'silent',
      GRPC_DEADLINE_MS: '20000',
    };
    const ordersPort = await freePort();
    ordersService = (await startOrders(
      ordersConfig({ ...base, GRPC_PORT: String(ordersPort), DB_POOL_MAX: '20' }),
    ))!;
    // A second replica on the same database whose holds last one second, for expiry.
    const quickPort = await freePort();
    quickOrders = (await startOrders(
      ordersConfig({ ...base, GRPC_PORT: String(quickPort), HOLD_TTL_MS: '1000', SWEEP_INTERVAL_MS: '200' }),
    ))!;
    catalogStub = new (loadContract('catalog').yugong.catalog.v1.CatalogService)(
      `127.0.0.1:${catalogPort}`,
      grpc.credentials.createInsecure(),
    );
    const OrdersClient = loadContract('orders').yugong.orders.v1.OrdersService;
    ordersStub = new OrdersClient(`127.0.0.1:${ordersPort}`, grpc.credentials.createInsecure());
    quickStub = new OrdersClient(`127.0.0.1:${quickPort}`, grpc.credentials.createInsecure());
    callCatalog = caller(catalogStub);
    call = caller(ordersStub);
    catalogSql = new Client({ connectionString: catalogDb.url });
    ordersSql = new Client({ connectionString: ordersDb.url });
    await Promise.all([catalogSql.connect(), ordersSql.connect()]);
    producerId = await producer('91350100M000100Y43');
    otherProducerId = await producer('91110000600037341L');
  });

  afterAll(async () => {
    for (const stub of [catalogStub, ordersStub, quickStub]) {
      stub?.close();
    }
    await Promise.all([catalogSql?.end(), ordersSql?.end()]);
    await quickOrders?.close();
    await ordersService?.close();
    await catalogService?.close();
    await Promise.all([catalogDb?.drop(), ordersDb?.drop()]);
  });

  async function producer(creditCode: string): Promise<string> {
    const res = await callCatalog<{ producer: { id: string } }>(
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
    await callCatalog(
      'SetProducerStatus',
      { id: res.producer.id, status: 'PRODUCER_STATUS_VERIFIED' },
      OFFICER,
    );
    return res.producer.id;
  }

  async function product(stock: number, owner = producerId, priceFen = 4_850): Promise<string> {
    const res = await callCatalog<{ product: { id: string } }>(
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
    if (stock > 0) {
      await callCatalog(
        'CreateLot',
        {
          productId: res.product.id,
          lotCode: `L-${randomUUID().slice(0, 8)}`,
          producedOn: '2026-11-01',
          quantity: stock,
        },
        OFFICER,
      );
    }
    return res.product.id;
  }

  async function onHand(productId: string): Promise<number> {
    const { rows } = await catalogSql.query<{ n: string }>(
      'select coalesce(sum(on_hand), 0) as n from lot where product_id = $1',
      [productId],
    );
    return Number(rows[0].n);
  }

  const key = () => randomBytes(12).toString('base64url');
  const checkout = (who: object, idempotencyKey = key(), extra: object = {}, stub = call) =>
    stub<{ order: WireOrder }>(
      'Checkout',
      { idempotencyKey, paymentMethod: 'PAYMENT_METHOD_MANUAL', ...extra },
      who,
    );

  it('keeps a cart priced live, anonymous or signed in, and merges one into the other', async () => {
    const id = await product(20);
    const token = randomBytes(32).toString('base64url');
    await call('AddCartItem', { cartToken: token, productId: id, quantity: 2 });
    const buyer = consumer();
    await call('AddCartItem', { productId: id, quantity: 1 }, buyer);
    const merged = await call<{
      cart: { items: { productId: string; quantity: number }[]; subtotal: { fen: number } };
    }>('MergeCart', { cartToken: token }, buyer);
    expect(merged.cart.items).toEqual([
      expect.objectContaining({ productId: id, quantity: 3, available: true }),
    ]);
    expect(merged.cart.subtotal.fen).toBe(3 * 4_850);
    const anonymous = await call<{ cart: { items: unknown[] } }>('GetCart', { cartToken: token });
    expect(anonymous.cart.items).toEqual([]);

    const tooMany = await rejection(call('AddCartItem', { productId: id, quantity: 1_000 }, buyer));
    expect(tooMany.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldsOf(tooMany)).toEqual(['quantity']);
    const noCart = await rejection(call('GetCart', {}));
    expect(noCart.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('sells exactly the stock there is to 200 concurrent checkouts; the rest are refused, nothing oversold', async () => {
    const id = await product(10);
    const buyers = Array.from({ length: 200 }, consumer);
    for (const buyer of buyers) {
      await call('AddCartItem', { productId: id, quantity: 1 }, buyer);
    }

    const results = await Promise.allSettled(buyers.map((buyer) => checkout(buyer)));

    const placed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as grpc.ServiceError] : []));
    expect(placed).toHaveLength(10);
    expect(refused).toHaveLength(190);
    expect(refused.every((e) => e.code === grpc.status.FAILED_PRECONDITION)).toBe(true);
    expect(fieldsOf(refused[0])).toEqual([`cart.${id}`]);
    expect(await onHand(id)).toBe(0);
    const { rows } = await ordersSql.query(
      `select count(*)::int as n from order_line where product_id = $1`,
      [id],
    );
    expect(rows[0].n).toBe(10);
  });

  it('answers 50 concurrent checkouts with one Idempotency-Key with one order', async () => {
    const id = await product(10);
    const buyer = consumer();
    await call('AddCartItem', { productId: id, quantity: 2 }, buyer);
    const idempotencyKey = key();

    const replies = await Promise.all(Array.from({ length: 50 }, () => checkout(buyer, idempotencyKey)));

    expect(new Set(replies.map((r) => r.order.id)).size).toBe(1);
    expect(replies.every((r) => JSON.stringify(r) === JSON.stringify(replies[0]))).toBe(true);
    const { rows } = await ordersSql.query(
      `select count(*)::int as n from customer_order where buyer_id = $1`,
      [buyer.userId],
    );
    expect(rows[0].n).toBe(1);
    expect(await onHand(id)).toBe(8);

    const other = await rejection(checkout(buyer, idempotencyKey, { donationFen: 100 }));
    expect(other.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(fieldsOf(other)).toEqual(['idempotencyKey']);
  });

  it('snapshots the lines, adds a round-up donation, and goes to paid on an officer’s confirmation', async () => {
    const id = await product(10, producerId, 4_850);
    const buyer = consumer();
    await call('AddCartItem', { productId: id, quantity: 3 }, buyer);
    const { order } = await checkout(buyer, key(), { donationFen: 20, roundUp: true });
    expect(order).toMatchObject({
      status: 'ORDER_STATUS_PENDING_PAYMENT',
      subtotal: { fen: 14_550 },
      donation: { fen: 50 },
      total: { fen: 14_600 },
    });
    expect(order.lines).toEqual([
      expect.objectContaining({ productId: id, quantity: 3, householdShareBps: 2000 }),
    ]);
    const cart = await call<{ cart: { items: unknown[] } }>('GetCart', {}, buyer);
    expect(cart.cart.items).toEqual([]);

    const wrong = await rejection(
      call(
        'ConfirmManualPayment',
        { orderId: order.id, amount: { fen: 14_550 }, reference: 'BOC-1' },
        OFFICER,
      ),
    );
    expect(wrong.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldsOf(wrong)).toEqual(['amount']);
    const byBuyer = await rejection(
      call('ConfirmManualPayment', { orderId: order.id, amount: { fen: 14_600 }, reference: 'BOC-1' }, buyer),
    );
    expect(byBuyer.code).toBe(grpc.status.PERMISSION_DENIED);

    const paid = await call<{ order: WireOrder }>(
      'ConfirmManualPayment',
      { orderId: order.id, amount: { fen: 14_600 }, reference: 'BOC-20261128-001' },
      OFFICER,
    );
    expect(paid.order).toMatchObject({
      status: 'ORDER_STATUS_PAID',
      payment: { reference: 'BOC-20261128-001', amountReceived: { fen: 14_600 } },
    });
    const again = await call<{ order: WireOrder }>(
      'ConfirmManualPayment',
      { orderId: order.id, amount: { fen: 14_600 }, reference: 'BOC-20261128-001' },
      OFFICER,
    );
    expect(again.order.status).toBe('ORDER_STATUS_PAID');
    const { rows: holds } = await catalogSql.query(
      'select distinct status from stock_hold where order_id = $1',
      [order.id],
    );
    expect(holds).toEqual([{ status: 'committed' }]);
    const { rows: events } = await ordersSql.query(
      `select type, sequence, payload->'order'->>'status' as status from outbox_event where order_id = $1`,
      [order.id],
    );
    expect(events).toEqual([{ type: 'order.paid', sequence: 1, status: 'paid' }]);
    const cancel = await rejection(call('CancelOrder', { id: order.id }, buyer));
    expect(cancel.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('ships, delivers and partly refunds a paid order line by line, each producer its own lines', async () => {
    const mine = await product(10, producerId, 3_000);
    const theirs = await product(10, otherProducerId, 1_000);
    const buyer = consumer();
    await call('AddCartItem', { productId: mine, quantity: 3 }, buyer);
    await call('AddCartItem', { productId: theirs, quantity: 2 }, buyer);
    const { order } = await checkout(buyer);
    await call(
      'ConfirmManualPayment',
      { orderId: order.id, amount: { fen: 11_000 }, reference: 'CASH-7' },
      OFFICER,
    );
    const staffA = { userId: randomUUID(), role: 'producer_staff', producerIds: [producerId] };
    const staffB = { userId: randomUUID(), role: 'producer_staff', producerIds: [otherProducerId] };
    const lineOf = (productId: string) =>
      order.lines.find((l) => l.productId === productId) as unknown as { id: string };

    const early = await rejection(call('ConfirmDelivery', { orderId: order.id }, buyer));
    expect(early.code).toBe(grpc.status.FAILED_PRECONDITION);
    const half = await call<{ order: WireOrder & { lines: { status: string; trackingNumber: string }[] } }>(
      'ShipOrderLines',
      { orderId: order.id, carrier: 'EMS', trackingNumber: 'EA123456789CN' },
      staffA,
    );
    expect(half.order.status).toBe('ORDER_STATUS_PAID');
    expect(half.order.lines).toEqual([
      expect.objectContaining({ status: 'LINE_STATUS_SHIPPED', trackingNumber: 'EA123456789CN' }),
    ]);
    const notTheirs = await rejection(
      call(
        'ShipOrderLines',
        { orderId: order.id, lineIds: [lineOf(mine).id], carrier: 'SF', trackingNumber: 'X1' },
        staffB,
      ),
    );
    expect(fieldsOf(notTheirs)).toEqual(['lineIds.0']);
    const shipped = await call<{ order: WireOrder }>(
      'ShipOrderLines',
      { orderId: order.id, carrier: 'SF', trackingNumber: 'SF1234567890' },
      staffB,
    );
    expect(shipped.order.status).toBe('ORDER_STATUS_SHIPPED');
    const delivered = await call<{ order: WireOrder }>('ConfirmDelivery', { orderId: order.id }, buyer);
    expect(delivered.order.status).toBe('ORDER_STATUS_DELIVERED');
    expect(
      (await call<{ order: WireOrder }>('ConfirmDelivery', { orderId: order.id }, buyer)).order.status,
    ).toBe('ORDER_STATUS_DELIVERED');

    const stockBefore = await onHand(mine);
    const request = {
      orderId: order.id,
      lines: [{ lineId: lineOf(mine).id, quantity: 1 }],
      reason: '一只兔肉包装破损',
      goodsReturned: true,
      idempotencyKey: key(),
    };
    const refunded = await call<{
      refund: { id: string; amount: { fen: number }; status: string };
      order: WireOrder;
    }>('RefundOrder', request, staffA);
    // A manual order's money goes back from the relief office: staff ask, the office confirms.
    expect(refunded.refund).toMatchObject({ amount: { fen: 3_000 }, status: 'pending' });
    expect(refunded.order.status).toBe('ORDER_STATUS_DELIVERED');
    const repeat = await call<{ refund: { id: string } }>('RefundOrder', request, staffA);
    expect(repeat.refund.id).toBe(refunded.refund.id);
    expect(await onHand(mine)).toBe(stockBefore);
    const paidBack = { orderId: order.id, refundId: refunded.refund.id, reference: 'BOC-REFUND-7' };
    const byStaff = await rejection(call('ConfirmManualRefund', paidBack, staffA));
    expect(byStaff.code).toBe(grpc.status.PERMISSION_DENIED);
    const confirmed = await call<{ refund: { status: string; reference: string } }>(
      'ConfirmManualRefund',
      paidBack,
      OFFICER,
    );
    expect(confirmed.refund).toMatchObject({ status: 'succeeded', reference: 'manual:BOC-REFUND-7' });
    expect(await onHand(mine)).toBe(stockBefore + 1);
    const { rows: lines } = await ordersSql.query(
      'select refunded_quantity::int, refunded_fen::int from order_line where id = $1',
      [lineOf(mine).id],
    );
    expect(lines).toEqual([{ refunded_quantity: 1, refunded_fen: 3_000 }]);

    const tooMuch = await rejection(
      call(
        'RefundOrder',
        { orderId: order.id, lines: [{ lineId: lineOf(mine).id, quantity: 3 }], reason: 'x' },
        staffA,
      ),
    );
    expect(fieldsOf(tooMuch)).toEqual(['lines.0.quantity']);
    const othersLine = await rejection(
      call(
        'RefundOrder',
        { orderId: order.id, lines: [{ lineId: lineOf(mine).id, quantity: 1 }], reason: 'x' },
        staffB,
      ),
    );
    expect(othersLine.code).toBe(grpc.status.INVALID_ARGUMENT);
    const byBuyer = await rejection(call('RefundOrder', { orderId: order.id, reason: 'x' }, buyer));
    expect(byBuyer.code).toBe(grpc.status.INVALID_ARGUMENT);
    const stranger = await rejection(call('RefundOrder', { orderId: order.id, reason: 'x' }, consumer()));
    expect(stranger.code).toBe(grpc.status.NOT_FOUND);

    const rest = await call<{ order: WireOrder }>(
      'RefundOrder',
      { orderId: order.id, reason: '整单退款' },
      OFFICER,
    );
    expect(rest.order.status).toBe('ORDER_STATUS_REFUNDED');
    expect(await onHand(mine)).toBe(stockBefore + 1); // goods not returned: no restock
    const { rows: events } = await ordersSql.query(
      'select type, sequence from outbox_event where order_id = $1 order by sequence',
      [order.id],
    );
    expect(events).toEqual([
      { type: 'order.paid', sequence: 1 },
      { type: 'order.refunded', sequence: 2 },
      { type: 'order.refunded', sequence: 3 },
    ]);
  });

  it('cancels before payment, releasing the stock, once', async () => {
    const id = await product(5);
    const buyer = consumer();
    await call('AddCartItem', { productId: id, quantity: 4 }, buyer);
    const { order } = await checkout(buyer);
    expect(await onHand(id)).toBe(1);

    const cancelled = await call<{ order: WireOrder }>('CancelOrder', { id: order.id }, buyer);
    await call('CancelOrder', { id: order.id }, buyer);

    expect(cancelled.order.status).toBe('ORDER_STATUS_CANCELLED');
    expect(await onHand(id)).toBe(5);
    const { rows } = await ordersSql.query(`select type from outbox_event where order_id = $1`, [order.id]);
    expect(rows).toEqual([{ type: 'order.cancelled' }]);
    const pay = await rejection(
      call(
        'ConfirmManualPayment',
        { orderId: order.id, amount: { fen: 4 * 4_850 }, reference: 'late' },
        OFFICER,
      ),
    );
    expect(pay.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('cancels unpaid orders whose hold lapsed and gives their stock back', async () => {
    const id = await product(3);
    const buyer = consumer();
    await call('AddCartItem', { productId: id, quantity: 3 }, buyer);
    const { order } = await checkout(buyer, key(), {}, caller(quickStub));
    expect(await onHand(id)).toBe(0);

    const deadline = Date.now() + 8_000;
    while ((await onHand(id)) !== 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await onHand(id)).toBe(3);
    const { order: after } = await call<{ order: WireOrder }>('GetOrder', { id: order.id }, buyer);
    expect(after.status).toBe('ORDER_STATUS_CANCELLED');
  });

  it('shows an order to its buyer, officers and auditors in full, to producer staff their lines only, to others not at all', async () => {
    const mine = await product(5, producerId);
    const theirs = await product(5, otherProducerId);
    const buyer = consumer();
    await call('AddCartItem', { productId: mine, quantity: 1 }, buyer);
    await call('AddCartItem', { productId: theirs, quantity: 1 }, buyer);
    const { order } = await checkout(buyer);

    for (const reader of [buyer, OFFICER, AUDITOR]) {
      const seen = await call<{ order: WireOrder }>('GetOrder', { id: order.id }, reader);
      expect(seen.order.lines).toHaveLength(2);
    }
    const staff = { userId: randomUUID(), role: 'producer_staff', producerIds: [producerId] };
    const seenByStaff = await call<{ order: WireOrder }>('GetOrder', { id: order.id }, staff);
    expect(seenByStaff.order.lines.map((l) => l.producerId)).toEqual([producerId]);
    const listed = await call<{ orders: WireOrder[] }>('ListOrders', {}, staff);
    expect(listed.orders.map((o) => o.id)).toContain(order.id);

    const stranger = consumer();
    const strangerStaff = { userId: randomUUID(), role: 'producer_staff', producerIds: [randomUUID()] };
    for (const reader of [stranger, strangerStaff, null]) {
      const hidden = await rejection(call('GetOrder', { id: order.id }, reader));
      expect(hidden.code).toBe(grpc.status.NOT_FOUND);
    }
    const strangers = await call<{ orders: WireOrder[] }>('ListOrders', {}, stranger);
    expect(strangers.orders).toEqual([]);
    const cancelByStranger = await rejection(call('CancelOrder', { id: order.id }, stranger));
    expect(cancelByStranger.code).toBe(grpc.status.NOT_FOUND);
  });

  it('lists order events to the relief office in order, and to nobody else', async () => {
    const events = await call<{ events: { id: number; type: string; order: WireOrder }[] }>(
      'ListEvents',
      { afterId: 0, limit: 500 },
      AUDITOR,
    );
    expect(events.events.length).toBeGreaterThan(0);
    const ids = events.events.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(events.events.every((e) => e.order.lines.length > 0)).toBe(true);
    const denied = await rejection(call('ListEvents', {}, consumer()));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('refuses bad checkouts naming the field, writing nothing', async () => {
    const buyer = consumer();
    const empty = await rejection(checkout(buyer));
    expect(empty.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(fieldsOf(empty)).toEqual(['cart']);
    const id = await product(5);
    await call('AddCartItem', { productId: id, quantity: 1 }, buyer);
    const cases: [object, string][] = [
      [{ idempotencyKey: 'short' }, 'idempotencyKey'],
      [{ donationFen: -1 }, 'donationFen'],
      [{ paymentMethod: 'PAYMENT_METHOD_UNSPECIFIED' }, 'paymentMethod'],
    ];
    for (const [extra, field] of cases) {
      const error = await rejection(checkout(buyer, key(), extra));
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fieldsOf(error)).toEqual([field]);
    }
    const staff = await rejection(
      checkout({ userId: randomUUID(), role: 'producer_staff', producerIds: [producerId] }),
    );
    expect(staff.code).toBe(grpc.status.PERMISSION_DENIED);
    const card = await rejection(checkout(buyer, key(), { paymentMethod: 'PAYMENT_METHOD_STRIPE' }));
    expect(fieldsOf(card)).toEqual(['paymentMethod']);
    const { rows } = await ordersSql.query(
      `select count(*)::int as n from customer_order where buyer_id = $1`,
      [buyer.userId],
    );
    expect(rows[0].n).toBe(0);
    expect(await onHand(id)).toBe(5);
  });
});
