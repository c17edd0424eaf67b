import * as grpc from '@grpc/grpc-js';
import { orders } from '@yugong/contracts';
import {
  describeWithRedis,
  errorFieldNames,
  expectRejection,
  testRedisUrl,
  uniqueRedisPrefix,
  type Sent,
  type TestCaller,
} from '@yugong/shared/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { MAX_CART_LINES } from '../src/cart/cart.store';
import { consumer, OFFICER, startTestOrders, type BootedOrders, type TestOrders } from './support/harness';

const AUDITOR = { userId: randomUUID(), role: 'auditor', producerIds: [] };

// Carts and checkout locks live in Redis: without one there is no orders service to test.
describeWithRedis('orders over gRPC', () => {
  let ordersService: TestOrders;
  let quickOrders: BootedOrders;
  let catalog: TestOrders['catalog'];
  let catalogSql: Client;
  let ordersSql: Client;
  let call: TestOrders['call'];
  let producerId: string;
  let otherProducerId: string;

  beforeAll(async () => {
    const shared = {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: uniqueRedisPrefix('orders'),
      GRPC_DEADLINE_MS: '20000',
    };
    ordersService = await startTestOrders('orders', { ...shared, DB_POOL_MAX: '20' });
    ({ catalog, call, sql: ordersSql } = ordersService);
    // A second replica on the same database whose holds last one second, for expiry.
    quickOrders = await ordersService.replica({ ...shared, HOLD_TTL_MS: '1000', SWEEP_INTERVAL_MS: '200' });
    catalogSql = catalog.sql;
    producerId = await catalog.producer();
    otherProducerId = await catalog.producer();
  });

  afterAll(() => ordersService?.close());

  const product = (stock: number, owner = producerId, priceFen = 4_850) =>
    catalog.product(owner, stock, priceFen);
  const onHand = (productId: string) => catalog.onHand(productId);

  const key = () => randomBytes(12).toString('base64url');
  const checkout = (
    who: TestCaller,
    idempotencyKey = key(),
    extra: Sent<orders.CheckoutRequest> = {},
    stub = call,
  ) =>
    stub(
      'checkout',
      { idempotencyKey, paymentMethod: orders.PaymentMethod.PAYMENT_METHOD_MANUAL, ...extra },
      who,
    );

  it('keeps a cart priced live, anonymous or signed in, and merges one into the other', async () => {
    const id = await product(20);
    const token = randomBytes(32).toString('base64url');
    await call('addCartItem', { cartToken: token, productId: id, quantity: 2 });
    const buyer = consumer();
    await call('addCartItem', { productId: id, quantity: 1 }, buyer);
    const merged = await call('mergeCart', { cartToken: token }, buyer);
    expect(merged.cart.items).toEqual([
      expect.objectContaining({ productId: id, quantity: 3, available: true }),
    ]);
    expect(merged.cart.subtotal.fen).toBe(3 * 4_850);
    const anonymous = await call('getCart', { cartToken: token });
    expect(anonymous.cart.items).toEqual([]);

    const tooMany = await expectRejection(call('addCartItem', { productId: id, quantity: 1_000 }, buyer));
    expect(tooMany.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorFieldNames(tooMany)).toEqual(['quantity']);
    const noCart = await expectRejection(call('getCart', {}));
    expect(noCart.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('sells exactly the stock there is to 200 concurrent checkouts; the rest are refused, nothing oversold', async () => {
    const id = await product(10);
    const buyers = Array.from({ length: 200 }, consumer);
    for (const buyer of buyers) {
      await call('addCartItem', { productId: id, quantity: 1 }, buyer);
    }

    const results = await Promise.allSettled(buyers.map((buyer) => checkout(buyer)));

    const placed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as grpc.ServiceError] : []));
    expect(placed).toHaveLength(10);
    expect(refused).toHaveLength(190);
    expect(refused.every((e) => e.code === grpc.status.FAILED_PRECONDITION)).toBe(true);
    expect(errorFieldNames(refused[0])).toEqual([`cart.${id}`]);
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
    await call('addCartItem', { productId: id, quantity: 2 }, buyer);
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

    const other = await expectRejection(checkout(buyer, idempotencyKey, { donationFen: 100 }));
    expect(other.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(errorFieldNames(other)).toEqual(['idempotencyKey']);
  });

  it('answers concurrent repeats of many buyers’ checkouts, looked up together, each with its own order', async () => {
    const id = await product(40);
    const buyers = Array.from({ length: 20 }, () => ({ who: consumer(), idempotencyKey: key() }));
    const placed = await Promise.all(
      buyers.map(({ who, idempotencyKey }) =>
        call('addCartItem', { productId: id, quantity: 1 }, who).then(() => checkout(who, idempotencyKey)),
      ),
    );

    const repeats = await Promise.all(buyers.map(({ who, idempotencyKey }) => checkout(who, idempotencyKey)));

    expect(repeats.map((r) => [r.order.id, r.order.buyerId])).toEqual(
      placed.map((p, i) => [p.order.id, buyers[i]!.who.userId]),
    );
    expect(new Set(placed.map((p) => p.order.id)).size).toBe(20);
    expect(await onHand(id)).toBe(20);
  });

  it('snapshots the lines, adds a round-up donation, and goes to paid on an officer’s confirmation', async () => {
    const id = await product(10, producerId, 4_850);
    const buyer = consumer();
    await call('addCartItem', { productId: id, quantity: 3 }, buyer);
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
    const cart = await call('getCart', {}, buyer);
    expect(cart.cart.items).toEqual([]);

    const wrong = await expectRejection(
      call(
        'confirmManualPayment',
        { orderId: order.id, amount: { fen: 14_550 }, reference: 'BOC-1' },
        OFFICER,
      ),
    );
    expect(wrong.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorFieldNames(wrong)).toEqual(['amount']);
    const byBuyer = await expectRejection(
      call('confirmManualPayment', { orderId: order.id, amount: { fen: 14_600 }, reference: 'BOC-1' }, buyer),
    );
    expect(byBuyer.code).toBe(grpc.status.PERMISSION_DENIED);

    const paid = await call(
      'confirmManualPayment',
      { orderId: order.id, amount: { fen: 14_600 }, reference: 'BOC-20261128-001' },
      OFFICER,
    );
    expect(paid.order).toMatchObject({
      status: 'ORDER_STATUS_PAID',
      payment: { reference: 'BOC-20261128-001', amountReceived: { fen: 14_600 } },
    });
    const again = await call(
      'confirmManualPayment',
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
    const cancel = await expectRejection(call('cancelOrder', { id: order.id }, buyer));
    expect(cancel.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('ships, delivers and partly refunds a paid order line by line, each producer its own lines', async () => {
    const mine = await product(10, producerId, 3_000);
    const theirs = await product(10, otherProducerId, 1_000);
    const buyer = consumer();
    await call('addCartItem', { productId: mine, quantity: 3 }, buyer);
    await call('addCartItem', { productId: theirs, quantity: 2 }, buyer);
    const { order } = await checkout(buyer);
    await call(
      'confirmManualPayment',
      { orderId: order.id, amount: { fen: 11_000 }, reference: 'CASH-7' },
      OFFICER,
    );
    const staffA = { userId: randomUUID(), role: 'producer_staff', producerIds: [producerId] };
    const staffB = { userId: randomUUID(), role: 'producer_staff', producerIds: [otherProducerId] };
    const lineOf = (productId: string) =>
      order.lines.find((l) => l.productId === productId) as unknown as { id: string };

    const early = await expectRejection(call('confirmDelivery', { orderId: order.id }, buyer));
    expect(early.code).toBe(grpc.status.FAILED_PRECONDITION);
    const half = await call(
      'shipOrderLines',
      { orderId: order.id, carrier: 'EMS', trackingNumber: 'EA123456789CN' },
      staffA,
    );
    expect(half.order.status).toBe('ORDER_STATUS_PAID');
    expect(half.order.lines).toEqual([
      expect.objectContaining({ status: 'LINE_STATUS_SHIPPED', trackingNumber: 'EA123456789CN' }),
    ]);
    const notTheirs = await expectRejection(
      call(
        'shipOrderLines',
        { orderId: order.id, lineIds: [lineOf(mine).id], carrier: 'SF', trackingNumber: 'X1' },
        staffB,
      ),
    );
    expect(errorFieldNames(notTheirs)).toEqual(['lineIds.0']);
    const shipped = await call(
      'shipOrderLines',
      { orderId: order.id, carrier: 'SF', trackingNumber: 'SF1234567890' },
      staffB,
    );
    expect(shipped.order.status).toBe('ORDER_STATUS_SHIPPED');
    const delivered = await call('confirmDelivery', { orderId: order.id }, buyer);
    expect(delivered.order.status).toBe('ORDER_STATUS_DELIVERED');
    expect((await call('confirmDelivery', { orderId: order.id }, buyer)).order.status).toBe(
      'ORDER_STATUS_DELIVERED',
    );

    const stockBefore = await onHand(mine);
    const request = {
      orderId: order.id,
      lines: [{ lineId: lineOf(mine).id, quantity: 1 }],
      reason: '一只兔肉包装破损',
      goodsReturned: true,
      idempotencyKey: key(),
    };
    const refunded = await call('refundOrder', request, staffA);
    // A manual order's money goes back from the relief office: staff ask, the office confirms.
    expect(refunded.refund).toMatchObject({ amount: { fen: 3_000 }, status: 'pending' });
    expect(refunded.order.status).toBe('ORDER_STATUS_DELIVERED');
    const repeat = await call('refundOrder', request, staffA);
    expect(repeat.refund.id).toBe(refunded.refund.id);
    expect(await onHand(mine)).toBe(stockBefore);
    const paidBack = { orderId: order.id, refundId: refunded.refund.id, reference: 'BOC-REFUND-7' };
    await expectRejection(call('confirmManualRefund', paidBack, staffA), grpc.status.PERMISSION_DENIED);
    const confirmed = await call('confirmManualRefund', paidBack, OFFICER);
    expect(confirmed.refund).toMatchObject({ status: 'succeeded', reference: 'manual:BOC-REFUND-7' });
    expect(await onHand(mine)).toBe(stockBefore + 1);
    const { rows: lines } = await ordersSql.query(
      'select refunded_quantity::int, refunded_fen::int from order_line where id = $1',
      [lineOf(mine).id],
    );
    expect(lines).toEqual([{ refunded_quantity: 1, refunded_fen: 3_000 }]);

    const tooMuch = await expectRejection(
      call(
        'refundOrder',
        { orderId: order.id, lines: [{ lineId: lineOf(mine).id, quantity: 3 }], reason: 'x' },
        staffA,
      ),
    );
    expect(errorFieldNames(tooMuch)).toEqual(['lines.0.quantity']);
    const othersLine = await expectRejection(
      call(
        'refundOrder',
        { orderId: order.id, lines: [{ lineId: lineOf(mine).id, quantity: 1 }], reason: 'x' },
        staffB,
      ),
    );
    expect(othersLine.code).toBe(grpc.status.INVALID_ARGUMENT);
    const byBuyer = await expectRejection(call('refundOrder', { orderId: order.id, reason: 'x' }, buyer));
    expect(byBuyer.code).toBe(grpc.status.INVALID_ARGUMENT);
    const stranger = await expectRejection(
      call('refundOrder', { orderId: order.id, reason: 'x' }, consumer()),
    );
    expect(stranger.code).toBe(grpc.status.NOT_FOUND);

    const rest = await call('refundOrder', { orderId: order.id, reason: '整单退款' }, OFFICER);
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
    await call('addCartItem', { productId: id, quantity: 4 }, buyer);
    const { order } = await checkout(buyer);
    expect(await onHand(id)).toBe(1);

    const cancelled = await call('cancelOrder', { id: order.id }, buyer);
    await call('cancelOrder', { id: order.id }, buyer);

    expect(cancelled.order.status).toBe('ORDER_STATUS_CANCELLED');
    expect(await onHand(id)).toBe(5);
    const { rows } = await ordersSql.query(`select type from outbox_event where order_id = $1`, [order.id]);
    expect(rows).toEqual([{ type: 'order.cancelled' }]);
    const pay = await expectRejection(
      call(
        'confirmManualPayment',
        { orderId: order.id, amount: { fen: 4 * 4_850 }, reference: 'late' },
        OFFICER,
      ),
    );
    expect(pay.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('cancels unpaid orders whose hold lapsed and gives their stock back', async () => {
    const id = await product(3);
    const buyer = consumer();
    await call('addCartItem', { productId: id, quantity: 3 }, buyer);
    const { order } = await checkout(buyer, key(), {}, quickOrders.call);
    expect(await onHand(id)).toBe(0);

    const deadline = Date.now() + 8_000;
    while ((await onHand(id)) !== 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await onHand(id)).toBe(3);
    const { order: after } = await call('getOrder', { id: order.id }, buyer);
    expect(after.status).toBe('ORDER_STATUS_CANCELLED');
  });

  it('shows an order to its buyer, officers and auditors in full, to producer staff their lines only, to others not at all', async () => {
    const mine = await product(5, producerId);
    const theirs = await product(5, otherProducerId);
    const buyer = consumer();
    await call('addCartItem', { productId: mine, quantity: 1 }, buyer);
    await call('addCartItem', { productId: theirs, quantity: 1 }, buyer);
    const { order } = await checkout(buyer);

    for (const reader of [buyer, OFFICER, AUDITOR]) {
      const seen = await call('getOrder', { id: order.id }, reader);
      expect(seen.order.lines).toHaveLength(2);
    }
    const staff = { userId: randomUUID(), role: 'producer_staff', producerIds: [producerId] };
    const seenByStaff = await call('getOrder', { id: order.id }, staff);
    expect(seenByStaff.order.lines.map((l) => l.producerId)).toEqual([producerId]);
    const listed = await call('listOrders', {}, staff);
    expect(listed.orders.map((o) => o.id)).toContain(order.id);

    const stranger = consumer();
    const strangerStaff = { userId: randomUUID(), role: 'producer_staff', producerIds: [randomUUID()] };
    for (const reader of [stranger, strangerStaff]) {
      const hidden = await expectRejection(call('getOrder', { id: order.id }, reader));
      expect(hidden.code).toBe(grpc.status.NOT_FOUND);
    }
    const anonymous = await expectRejection(call('getOrder', { id: order.id }, null));
    expect(anonymous.code).toBe(grpc.status.UNAUTHENTICATED);
    const strangers = await call('listOrders', {}, stranger);
    expect(strangers.orders).toEqual([]);
    const cancelByStranger = await expectRejection(call('cancelOrder', { id: order.id }, stranger));
    expect(cancelByStranger.code).toBe(grpc.status.NOT_FOUND);
  });

  it('lists order events to the relief office in order, and to nobody else', async () => {
    const events = await call('listEvents', { afterId: 0, limit: 500 }, AUDITOR);
    expect(events.events.length).toBeGreaterThan(0);
    const ids = events.events.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(events.events.every((e) => e.order.lines.length > 0)).toBe(true);
    const denied = await expectRejection(call('listEvents', {}, consumer()));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('refuses bad checkouts naming the field, writing nothing', async () => {
    const buyer = consumer();
    const empty = await expectRejection(checkout(buyer));
    expect(empty.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(errorFieldNames(empty)).toEqual(['cart']);
    const id = await product(5);
    await call('addCartItem', { productId: id, quantity: 1 }, buyer);
    const cases: [object, string][] = [
      [{ idempotencyKey: 'short' }, 'idempotencyKey'],
      [{ donationFen: -1 }, 'donationFen'],
      [{ paymentMethod: 'PAYMENT_METHOD_UNSPECIFIED' }, 'paymentMethod'],
    ];
    for (const [extra, field] of cases) {
      const error = await expectRejection(checkout(buyer, key(), extra));
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorFieldNames(error)).toEqual([field]);
    }
    const staff = await expectRejection(
      checkout({ userId: randomUUID(), role: 'producer_staff', producerIds: [producerId] }),
    );
    expect(staff.code).toBe(grpc.status.PERMISSION_DENIED);
    const card = await expectRejection(
      checkout(buyer, key(), { paymentMethod: orders.PaymentMethod.PAYMENT_METHOD_STRIPE }),
    );
    expect(errorFieldNames(card)).toEqual(['paymentMethod']);
    const { rows } = await ordersSql.query(
      `select count(*)::int as n from customer_order where buyer_id = $1`,
      [buyer.userId],
    );
    expect(rows[0].n).toBe(0);
    expect(await onHand(id)).toBe(5);
  });

  describe('the cart, anonymously', () => {
    const anonymousCart = () => randomBytes(32).toString('base64url');

    it('refuses a cart filled past its line limit by PATCH, leaving the cart as it was', async () => {
      const ids = await Promise.all(Array.from({ length: MAX_CART_LINES + 1 }, () => product(5)));
      const cartToken = anonymousCart();
      for (const productId of ids.slice(0, MAX_CART_LINES)) {
        await call('updateCartItem', { cartToken, productId, quantity: 1 });
      }
      const before = await call('getCart', { cartToken });
      expect(before.cart.items).toHaveLength(MAX_CART_LINES);

      const refused = await expectRejection(
        call('updateCartItem', { cartToken, productId: ids[MAX_CART_LINES], quantity: 1 }),
        'CART_LIMIT',
      );

      expect(refused.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(errorFieldNames(refused)).toEqual(['quantity']);
      expect((await call('getCart', { cartToken })).cart.items).toEqual(before.cart.items);
      // A line already in the full cart may still change.
      const changed = await call('updateCartItem', { cartToken, productId: ids[0], quantity: 3 });
      expect(changed.cart.items[0]).toMatchObject({ productId: ids[0], quantity: 3 });
    }, 90_000); // 101 products and 100 sequential cart writes, each pricing the whole cart

    it('refuses a PATCH of a product that does not exist, writing nothing', async () => {
      const cartToken = anonymousCart();
      const kept = await product(5);
      await call('updateCartItem', { cartToken, productId: kept, quantity: 2 });

      const refused = await expectRejection(
        call('updateCartItem', { cartToken, productId: randomUUID(), quantity: 1 }),
        'PRODUCT_NOT_FOR_SALE',
      );

      expect(refused.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(errorFieldNames(refused)).toEqual(['productId']);
      const { cart } = await call('getCart', { cartToken });
      expect(cart.items.map((i) => [i.productId, i.quantity])).toEqual([[kept, 2]]);
      // Removing a line names no product to check: it goes whether or not the product still sells.
      await call('updateCartItem', { cartToken, productId: kept, quantity: 0 });
      expect((await call('getCart', { cartToken })).cart.items).toEqual([]);
    });
  });

  describe('order lists deep enough to make OFFSET expensive', () => {
    it('refuses a deep page naming page, and a cursor it did not give naming cursor', async () => {
      const deep = await expectRejection(
        call('listOrders', { page: { page: 501, pageSize: 20 } }, OFFICER),
        'VALIDATION_FAILED',
      );
      expect(deep.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorFieldNames(deep)).toEqual(['page.page']);
      const forged = Buffer.from(
        JSON.stringify(["2026-01-01'; drop table customer_order; --", 'x']),
      ).toString('base64url');
      const refused = await expectRejection(
        call('listOrders', { cursor: forged }, OFFICER),
        'VALIDATION_FAILED',
      );
      expect(errorFieldNames(refused)).toEqual(['cursor']);
      // The right shape, but a day that does not exist: refused here, never sent to PostgreSQL.
      const impossible = Buffer.from(
        JSON.stringify(['2026-13-31 10:00:00.000001+00', '5f0c6a8e-3c1b-4b7a-9a57-2f1d6f4c9e10']),
      ).toString('base64url');
      const noSuchDay = await expectRejection(
        call('listOrders', { cursor: impossible }, OFFICER),
        'VALIDATION_FAILED',
      );
      expect(errorFieldNames(noSuchDay)).toEqual(['cursor']);
    });

    it('walks every order of a buyer exactly once, newest first, by the cursor', async () => {
      const buyer = consumer();
      // 45 orders at 15 instants, three at each (ties go by id), microseconds apart in places.
      await ordersSql.query(
        `insert into customer_order (id, buyer_id, buyer_role, idempotency_key, request_hash, status,
           payment_method, subtotal_fen, donation_fen, total_fen, currency, expires_at, created_at, updated_at)
         select gen_random_uuid(), $1, 'consumer', 'deep-' || n, repeat('0', 64), 'pending_payment', 'manual',
           100, 0, 100, 'CNY', now() + interval '1 day',
           timestamptz '2026-01-01 00:00:00.000001+00' + (n / 3) * interval '0.000001 second', now()
           from generate_series(0, 44) n`,
        [buyer.userId],
      );
      const { rows } = await ordersSql.query<{ id: string }>(
        'select id from customer_order where buyer_id = $1 order by created_at desc, id',
        [buyer.userId],
      );
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      do {
        const res = await call('listOrders', { page: { pageSize: 10 }, cursor }, buyer);
        expect(res.page.total).toBe(45);
        seen.push(...res.orders.map((o) => o.id));
        cursor = res.nextCursor;
        pages++;
      } while (cursor);

      expect(seen).toEqual(rows.map((r) => r.id));
      expect(pages).toBe(5);
      // Page numbers and the cursor agree where both reach.
      const second = await call('listOrders', { page: { page: 2, pageSize: 10 } }, buyer);
      expect(second.orders.map((o) => o.id)).toEqual(seen.slice(10, 20));
    });
  });
});
