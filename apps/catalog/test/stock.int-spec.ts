import * as grpc from '@grpc/grpc-js';
import { catalog } from '@yugong/contracts';
import {
  errorFieldNames,
  expectRejection,
  flushRedisPrefix,
  testRedisUrl,
  type Sent,
  type TestCaller,
  uniqueRedisPrefix,
} from '@yugong/shared/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  ADMIN,
  AUDITOR,
  bootCatalog,
  certify,
  CONSUMER,
  INSTITUTION,
  OFFICER,
  startTestCatalog,
  type BootedCatalog,
  type TestCatalog,
} from './support/harness';

/** Redis when the run has one: the listing cache then keeps views for minutes unless refreshed. */
const REDIS_URL = testRedisUrl();
const REDIS_KEY_PREFIX = uniqueRedisPrefix('catalog_stock');

const inSeconds = (s: number) => {
  const ms = Date.now() + s * 1_000;
  return { seconds: Math.floor(ms / 1_000), nanos: (ms % 1_000) * 1e6 };
};

describe('catalog stock holds', () => {
  let running: TestCatalog;
  let sql: Client;
  let producerId: string;

  beforeAll(async () => {
    running = await startTestCatalog('catalog_stock', {
      REDIS_URL,
      REDIS_KEY_PREFIX,
      HOLD_SWEEP_INTERVAL_MS: '200',
      HOLD_RELEASE_GRACE_MS: '1000',
      LISTING_STOCK_REFRESH_MS: '300',
    });
    sql = running.sql;
    const created = await call(
      'createProducer',
      {
        kind: catalog.ProducerKind.PRODUCER_KIND_LEADING_ENTERPRISE,
        legalName: '济源市测试兔业有限公司',
        creditCode: '91350100M000100Y43',
        town: '王屋镇',
        village: '谭庄村',
        householdShareBps: 1500,
      },
      OFFICER,
    );
    producerId = created.producer.id;
    await call(
      'setProducerStatus',
      { id: producerId, status: catalog.ProducerStatus.PRODUCER_STATUS_VERIFIED },
      OFFICER,
    );
  });

  afterAll(async () => {
    await running?.close();
    if (REDIS_URL) {
      const redis = new Redis(REDIS_URL);
      await flushRedisPrefix(redis, REDIS_KEY_PREFIX);
      await redis.quit();
    }
  });

  /** Stock and cart pricing are called by orders, as in production; the rest by the gateway. */
  const FROM_ORDERS = new Set(['holdStock', 'releaseStock', 'commitStock', 'restockUnits', 'getProducts']);
  const call: BootedCatalog['client']['call'] = (method, request, caller, options) =>
    running.client.call(method, request, caller, {
      deadlineMs: 20_000,
      from: FROM_ORDERS.has(method) ? 'orders' : 'gateway',
      ...options,
    });

  async function product(extra: object = {}): Promise<string> {
    const res = await call(
      'createProduct',
      {
        producerId,
        nameZh: `冷鲜兔肉 ${randomUUID().slice(0, 8)}`,
        category: 'meat',
        unit: 'kg',
        price: { fen: 4_800, currency: 'CNY' },
        ...extra,
      },
      OFFICER,
    );
    if (!('status' in extra)) {
      await certify(running.client, res.product.id);
    }
    return res.product.id;
  }

  async function lot(productId: string, quantity: number, producedOn: string): Promise<string> {
    const res = await call(
      'createLot',
      { productId, lotCode: `L-${randomUUID().slice(0, 8)}`, producedOn, quantity },
      OFFICER,
    );
    return res.lot.id;
  }

  async function onHand(lotIds: string[]): Promise<number[]> {
    const { rows } = await sql.query<{ id: string; on_hand: string }>(
      'select id, on_hand from lot where id = any($1)',
      [lotIds],
    );
    const byId = new Map(rows.map((r) => [r.id, Number(r.on_hand)]));
    return lotIds.map((id) => byId.get(id)!);
  }

  async function heldUnits(productIds: string[]): Promise<number> {
    const { rows } = await sql.query<{ n: string }>(
      `select coalesce(sum(quantity), 0) as n from stock_hold where status = 'held' and product_id = any($1)`,
      [productIds],
    );
    return Number(rows[0].n);
  }

  async function heldByLot(lotIds: string[]): Promise<number[]> {
    const { rows } = await sql.query<{ lot_id: string; n: string }>(
      `select lot_id, sum(quantity) as n from stock_hold where status = 'held' and lot_id = any($1) group by lot_id`,
      [lotIds],
    );
    const byLot = new Map(rows.map((r) => [r.lot_id, Number(r.n)]));
    return lotIds.map((id) => byLot.get(id) ?? 0);
  }

  /** Reads the lowest on_hand of the lots from SQL, over and over, until stopped. */
  function sampleLowestOnHand(lotIds: string[]): { stop(): Promise<number> } {
    let lowest = Number.POSITIVE_INFINITY;
    let stopped = false;
    const sampler = new Client({ connectionString: running.url });
    const loop = (async () => {
      await sampler.connect();
      while (!stopped) {
        const { rows } = await sampler.query<{ low: string }>(
          'select min(on_hand) as low from lot where id = any($1)',
          [lotIds],
        );
        lowest = Math.min(lowest, Number(rows[0].low));
      }
      await sampler.end();
    })();
    return {
      stop: async () => {
        stopped = true;
        await loop;
        return lowest;
      },
    };
  }

  function hold(productId: string, quantity = 1, orderId = randomUUID(), caller: TestCaller = CONSUMER) {
    return call(
      'holdStock',
      { orderId, lines: [{ productId, quantity }], expiresAt: inSeconds(900) },
      caller,
    );
  }

  it('holds exactly the stock there is for 200 concurrent checkouts, never below zero', async () => {
    const id = await product();
    const lots = [
      await lot(id, 4, '2026-10-01'),
      await lot(id, 3, '2026-10-02'),
      await lot(id, 3, '2026-10-03'),
    ];

    const sampled = sampleLowestOnHand(lots);
    const replies = await Promise.all(Array.from({ length: 200 }, () => hold(id)));
    const lowest = await sampled.stop();

    expect(replies.filter((r) => r.held)).toHaveLength(10);
    const refused = replies.filter((r) => !r.held);
    expect(refused).toHaveLength(190);
    expect(
      refused.every(
        (r) =>
          r.shortages.length === 1 &&
          r.shortages[0].reason === 'SHORTAGE_REASON_OUT_OF_STOCK' &&
          r.shortages[0].available === 0,
      ),
    ).toBe(true);
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await onHand(lots)).toEqual([0, 0, 0]);
    expect(await heldUnits([id])).toBe(10);
    expect(await heldByLot(lots)).toEqual([4, 3, 3]);
    const { rows } = await sql.query<{ orders: string }>(
      `select count(distinct order_id) as orders from stock_hold where product_id = $1`,
      [id],
    );
    expect(Number(rows[0].orders)).toBe(10);
  });

  it('shares one lot between two products (a stock source) under 100 + 100 concurrent checkouts', async () => {
    const meat = await product();
    const giftBox = await product({ stockSourceProductId: meat });
    const [lotId] = [await lot(meat, 10, '2026-10-05')];

    const box = await call('getProduct', {
      id: giftBox,
    });
    expect(box.product).toMatchObject({ stock: 10, stockSourceProductId: meat });

    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => hold(i % 2 === 0 ? meat : giftBox)),
    );

    expect(replies.filter((r) => r.held)).toHaveLength(10);
    const refused = replies.filter((r) => !r.held);
    expect(refused).toHaveLength(190);
    expect(refused.every((r) => r.shortages[0].reason === 'SHORTAGE_REASON_OUT_OF_STOCK')).toBe(true);
    expect(await onHand([lotId])).toEqual([0]);
    expect(await heldUnits([meat, giftBox])).toBe(10);
    const allocations = replies.filter((r) => r.held).flatMap((r) => r.lines[0].allocations);
    expect(allocations.every((a) => a.lotId === lotId)).toBe(true);
  });

  it('takes the oldest lot first, snapshots the line, and answers a repeat with the same hold', async () => {
    const id = await product();
    const newer = await lot(id, 5, '2026-11-02');
    const older = await lot(id, 2, '2026-11-01');
    const orderId = randomUUID();

    const first = await hold(id, 4, orderId);
    const again = await hold(id, 4, orderId);

    expect(first.held).toBe(true);
    expect(first.lines[0]).toMatchObject({
      productId: id,
      quantity: 4,
      unitPrice: { fen: 4_800, currency: 'CNY' },
      producerId,
      householdShareBps: 1500,
    });
    expect(first.lines[0].allocations.map((a) => [a.lotId, a.quantity])).toEqual([
      [older, 2],
      [newer, 2],
    ]);
    expect(again).toEqual(first);
    expect(await onHand([older, newer])).toEqual([0, 3]);
  });

  it('holds every line or none', async () => {
    const plenty = await product();
    const scarce = await product();
    const plentyLot = await lot(plenty, 50, '2026-11-01');
    const scarceLot = await lot(scarce, 1, '2026-11-01');
    const orderId = randomUUID();

    const reply = await call(
      'holdStock',
      {
        orderId,
        lines: [
          { productId: plenty, quantity: 5 },
          { productId: scarce, quantity: 2 },
        ],
        expiresAt: inSeconds(900),
      },
      CONSUMER,
    );

    expect(reply.held).toBe(false);
    expect(reply.shortages).toEqual([
      { productId: scarce, requested: 2, available: 1, reason: 'SHORTAGE_REASON_OUT_OF_STOCK' },
    ]);
    expect(await onHand([plentyLot, scarceLot])).toEqual([50, 1]);
    const { rows } = await sql.query('select 1 from stock_hold where order_id = $1', [orderId]);
    expect(rows).toHaveLength(0);
  });

  it('refuses products that are not for sale or unknown, holding nothing', async () => {
    const draft = await product({ status: 'PRODUCT_STATUS_DRAFT' });
    await lot(draft, 5, '2026-11-01');
    const unknown = randomUUID();
    const reply = await call(
      'holdStock',
      {
        orderId: randomUUID(),
        lines: [
          { productId: draft, quantity: 1 },
          { productId: unknown, quantity: 1 },
        ],
        expiresAt: inSeconds(900),
      },
      CONSUMER,
    );
    expect(reply.held).toBe(false);
    expect(reply.shortages.map((s) => [s.productId, s.reason])).toEqual([
      [draft, 'SHORTAGE_REASON_NOT_FOR_SALE'],
      [unknown, 'SHORTAGE_REASON_UNKNOWN_PRODUCT'],
    ]);
  });

  it('plans concurrent holds read together each on its own products, a repeat on its own hold', async () => {
    const priced = async (fen: number) => {
      const id = await product({ price: { fen, currency: 'CNY' } });
      return { id, lot: await lot(id, 50, '2026-11-02'), fen };
    };
    const forSale = [await priced(1_100), await priced(2_200), await priced(3_300)];
    const draft = await product({ status: 'PRODUCT_STATUS_DRAFT' });
    await lot(draft, 5, '2026-11-01');
    const repeated = randomUUID();
    const first = await hold(forSale[0]!.id, 2, repeated);
    const asks = Array.from({ length: 30 }, (_, i) => (i % 4 === 3 ? null : forSale[i % 4]!));
    const replies = await Promise.all([
      ...asks.map((p) => hold(p?.id ?? draft)),
      hold(forSale[0]!.id, 2, repeated),
    ]);
    asks.forEach((p, i) => {
      const reply = replies[i]!;
      if (p === null) {
        expect([reply.held, reply.shortages.map((s) => [s.productId, s.reason])]).toEqual([
          false,
          [[draft, 'SHORTAGE_REASON_NOT_FOR_SALE']],
        ]);
      } else {
        const lines = reply.lines.map((l) => [
          l.productId,
          l.allocations.map((a) => a.lotId),
          l.unitPrice?.fen,
        ]);
        expect(lines).toEqual([[p.id, [p.lot], p.fen]]);
      }
    });
    expect(replies.at(-1)).toEqual(first);
    expect(await onHand(forSale.map((p) => p.lot))).toEqual([50 - 8 - 2, 50 - 8, 50 - 7]);
  });

  it('releases, commits, takes released units again, and restocks no more than was sold', async () => {
    const id = await product();
    const lotId = await lot(id, 10, '2026-11-01');

    const cancelled = randomUUID();
    await hold(id, 3, cancelled);
    expect(await call('releaseStock', { orderId: cancelled })).toEqual({ releasedUnits: 3 });
    expect(await call('releaseStock', { orderId: cancelled })).toEqual({ releasedUnits: 0 });
    expect(await onHand([lotId])).toEqual([10]);
    const rehold = await expectRejection(hold(id, 3, cancelled));
    expect(rehold.code).toBe(grpc.status.FAILED_PRECONDITION);

    const paid = randomUUID();
    await hold(id, 4, paid);
    const committed = await call('commitStock', { orderId: paid });
    expect(committed.committed).toBe(true);
    expect((await call('commitStock', { orderId: paid })).committed).toBe(true);
    expect(await call('releaseStock', { orderId: paid })).toEqual({ releasedUnits: 0 });
    expect(await onHand([lotId])).toEqual([6]);

    // Paid after its hold lapsed: the units are taken again while the lot still has them.
    const late = randomUUID();
    await hold(id, 2, late);
    await call('releaseStock', { orderId: late });
    expect((await call('commitStock', { orderId: late })).committed).toBe(true);
    expect(await onHand([lotId])).toEqual([4]);

    // ...and reported short when they are gone.
    const tooLate = randomUUID();
    await hold(id, 4, tooLate);
    await call('releaseStock', { orderId: tooLate });
    await hold(id, 3);
    const short = await call('commitStock', {
      orderId: tooLate,
    });
    expect(short.committed).toBe(false);
    expect(short.shortages).toEqual([
      { productId: id, requested: 4, available: 1, reason: 'SHORTAGE_REASON_OUT_OF_STOCK' },
    ]);
    expect(await onHand([lotId])).toEqual([1]);

    // Returns: idempotent per restock id, never more than was sold.
    const back = await call('restockUnits', {
      restockId: 'refund-1',
      orderId: paid,
      productId: id,
      quantity: 3,
    });
    expect(back.allocations).toEqual([expect.objectContaining({ lotId, quantity: 3 })]);
    expect(
      await call('restockUnits', { restockId: 'refund-1', orderId: paid, productId: id, quantity: 3 }),
    ).toEqual(back);
    expect(await onHand([lotId])).toEqual([4]);
    const over = await expectRejection(
      call('restockUnits', { restockId: 'refund-2', orderId: paid, productId: id, quantity: 2 }),
    );
    expect(over.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(over.details).toContain('only 1');
    expect(errorFieldNames(over)).toEqual(['quantity']);
    const reused = await expectRejection(
      call('restockUnits', { restockId: 'refund-1', orderId: paid, productId: id, quantity: 1 }),
    );
    expect(reused.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(await onHand([lotId])).toEqual([4]);
  });

  it('releases a hold nobody released once its expiry and the grace period have passed, not before', async () => {
    const id = await product();
    const lotId = await lot(id, 5, '2026-11-01');
    const orderId = randomUUID();
    await call(
      'holdStock',
      { orderId, lines: [{ productId: id, quantity: 5 }], expiresAt: inSeconds(1) },
      CONSUMER,
    );
    expect(await onHand([lotId])).toEqual([0]);

    await new Promise((resolve) => setTimeout(resolve, 1_400)); // expired, still within the 1 s grace
    expect(await onHand([lotId])).toEqual([0]);

    const deadline = Date.now() + 5_000;
    while ((await onHand([lotId]))[0] !== 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await onHand([lotId])).toEqual([5]);
    const { rows } = await sql.query<{ status: string }>(
      'select status from stock_hold where order_id = $1',
      [orderId],
    );
    expect(rows).toEqual([{ status: 'released' }]);
  });

  it('releases expired holds once when two catalog replicas sweep the same database', async () => {
    const replica = await bootCatalog(running.url, {
      REDIS_URL,
      REDIS_KEY_PREFIX,
      HOLD_SWEEP_INTERVAL_MS: '100',
      HOLD_RELEASE_GRACE_MS: '1000',
    });
    try {
      const id = await product();
      const lots = [await lot(id, 15, '2026-11-01'), await lot(id, 15, '2026-11-02')];
      const orders = Array.from({ length: 20 }, () => randomUUID());
      await Promise.all(
        orders.map((orderId) =>
          call(
            'holdStock',
            { orderId, lines: [{ productId: id, quantity: 1 }], expiresAt: inSeconds(1) },
            CONSUMER,
          ),
        ),
      );
      expect(await onHand(lots)).toEqual([0, 10]);

      const deadline = Date.now() + 8_000;
      while ((await heldUnits([id])) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await heldUnits([id])).toBe(0);
      expect(await onHand(lots)).toEqual([15, 15]);
      const { rows } = await sql.query<{ status: string; n: string }>(
        'select status, count(*) as n from stock_hold where product_id = $1 group by status',
        [id],
      );
      expect(rows.map((r) => [r.status, Number(r.n)])).toEqual([['released', 20]]);
    } finally {
      await replica.close();
    }
  });

  it('holds only for buyers, and lets only the orders service itself release, commit or restock', async () => {
    const id = await product();
    const lotId = await lot(id, 5, '2026-11-01');
    const staff = { userId: randomUUID(), role: 'producer_staff', producerIds: [producerId] };
    for (const caller of [AUDITOR, staff, OFFICER, ADMIN, null]) {
      const denied = await expectRejection(
        call(
          'holdStock',
          { orderId: randomUUID(), lines: [{ productId: id, quantity: 1 }], expiresAt: inSeconds(900) },
          caller,
        ),
      );
      expect(denied.code).toBe(caller ? grpc.status.PERMISSION_DENIED : grpc.status.UNAUTHENTICATED);
    }
    expect(await heldUnits([id])).toBe(0);
    expect((await hold(id, 1, randomUUID(), INSTITUTION)).held).toBe(true);

    const orderId = randomUUID();
    await hold(id, 2, orderId, CONSUMER);
    for (const caller of [CONSUMER, INSTITUTION, AUDITOR, staff, OFFICER, ADMIN]) {
      for (const [method, request] of [
        ['releaseStock', { orderId }],
        ['commitStock', { orderId }],
        ['restockUnits', { restockId: `r-${randomUUID()}`, orderId, productId: id, quantity: 1 }],
      ] as const) {
        const denied = await expectRejection(call(method, request, caller));
        expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
      }
    }
    expect(await onHand([lotId])).toEqual([2]);
    expect(await heldUnits([id])).toBe(3);
    // Nor may the gateway, for anyone: only orders, acting for itself (a cancellation, a payment).
    for (const caller of [OFFICER, null, 'service'] as const) {
      const denied = await expectRejection(call('releaseStock', { orderId }, caller, { from: 'gateway' }));
      expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    }
    expect(await onHand([lotId])).toEqual([2]);
    expect(await call('releaseStock', { orderId })).toEqual({ releasedUnits: 2 });
    expect(await onHand([lotId])).toEqual([4]);
  });

  it('never deadlocks orders that take the same lots in opposite line order', async () => {
    const first = await product();
    const second = await product();
    const lots = [
      await lot(first, 30, '2026-10-01'),
      await lot(first, 30, '2026-10-02'),
      await lot(second, 30, '2026-10-01'),
      await lot(second, 30, '2026-10-02'),
    ];
    const lines = [
      { productId: first, quantity: 1 },
      { productId: second, quantity: 1 },
    ];

    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(
          'holdStock',
          {
            orderId: randomUUID(),
            lines: i % 2 === 0 ? lines : [...lines].reverse(),
            expiresAt: inSeconds(900),
          },
          CONSUMER,
        ),
      ),
    );

    expect(replies.every((r) => r.held)).toBe(true);
    expect(await onHand(lots)).toEqual([0, 20, 0, 20]);
    expect(await heldUnits([first, second])).toBe(80);
  });

  it('returns restocked units to the most recently produced lot first', async () => {
    const id = await product();
    const older = await lot(id, 2, '2026-09-01');
    const newer = await lot(id, 2, '2026-09-02');
    const orderId = randomUUID();
    expect((await hold(id, 4, orderId)).held).toBe(true);
    await call('commitStock', { orderId });
    expect(await onHand([older, newer])).toEqual([0, 0]);

    const back = await call('restockUnits', {
      restockId: `refund-${orderId}-1`,
      orderId,
      productId: id,
      quantity: 3,
    });
    expect(back.allocations.map((a) => [a.lotId, a.quantity])).toEqual([
      [newer, 2],
      [older, 1],
    ]);
    expect(await onHand([older, newer])).toEqual([1, 2]);

    const rest = await call('restockUnits', {
      restockId: `refund-${orderId}-2`,
      orderId,
      productId: id,
      quantity: 1,
    });
    expect(rest.allocations.map((a) => [a.lotId, a.quantity])).toEqual([[older, 1]]);
    const none = await expectRejection(
      call('restockUnits', { restockId: `refund-${orderId}-3`, orderId, productId: id, quantity: 1 }),
    );
    expect(none.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(await onHand([older, newer])).toEqual([2, 2]);
    const { rows } = await sql.query<{ n: string }>(
      'select count(*) as n from stock_restock where order_id = $1',
      [orderId],
    );
    expect(Number(rows[0].n)).toBe(2);
  });

  it('shows stock moved by checkout in cached product views within the refresh period', async () => {
    const id = await product();
    await lot(id, 10, '2026-11-01');
    const stockOf = async () => (await call('getProduct', { id })).product.stock;
    expect(await stockOf()).toBe(10);

    await hold(id, 3);

    const deadline = Date.now() + 3_000;
    while ((await stockOf()) !== 7 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await stockOf()).toBe(7);
  });

  it('refuses bad holds naming the field, writing nothing', async () => {
    const id = await product();
    const lotId = await lot(id, 5, '2026-11-01');
    const cases: [Sent<catalog.HoldStockRequest>, string][] = [
      [
        { orderId: randomUUID(), lines: [{ productId: id, quantity: 0 }], expiresAt: inSeconds(60) },
        'lines.0.quantity',
      ],
      [
        { orderId: randomUUID(), lines: [{ productId: id, quantity: -2 }], expiresAt: inSeconds(60) },
        'lines.0.quantity',
      ],
      [
        {
          orderId: randomUUID(),
          lines: [
            { productId: id, quantity: 1 },
            { productId: id, quantity: 1 },
          ],
          expiresAt: inSeconds(60),
        },
        'lines.1.productId',
      ],
      [
        { orderId: 'not-a-uuid', lines: [{ productId: id, quantity: 1 }], expiresAt: inSeconds(60) },
        'orderId',
      ],
      [{ orderId: randomUUID(), lines: [], expiresAt: inSeconds(60) }, 'lines'],
      [{ orderId: randomUUID(), lines: [{ productId: id, quantity: 1 }] }, 'expiresAt'],
      [
        { orderId: randomUUID(), lines: [{ productId: id, quantity: 1 }], expiresAt: inSeconds(-5) },
        'expiresAt',
      ],
    ];
    for (const [request, field] of cases) {
      const error = await expectRejection(call('holdStock', request, CONSUMER));
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorFieldNames(error)).toContain(field);
    }
    const tooMany = await expectRejection(
      call('getProducts', { ids: Array.from({ length: 101 }, () => randomUUID()) }),
    );
    expect(tooMany.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorFieldNames(tooMany)).toEqual(['ids']);
    const badId = await expectRejection(call('getProducts', { ids: [id, 'nope'] }));
    expect(badId.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorFieldNames(badId)).toEqual(['ids.1']);
    for (const [method, request, field] of [
      ['releaseStock', { orderId: 'nope' }, 'orderId'],
      ['commitStock', { orderId: '' }, 'orderId'],
      ['restockUnits', { restockId: 'r-1', orderId: randomUUID(), productId: id, quantity: 0 }, 'quantity'],
      ['restockUnits', { restockId: '', orderId: randomUUID(), productId: id, quantity: 1 }, 'restockId'],
    ] as const) {
      const error = await expectRejection(call(method, request));
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorFieldNames(error)).toEqual([field]);
    }
    expect(await onHand([lotId])).toEqual([5]);
    expect(await heldUnits([id])).toBe(0);
  });

  it('reads several products at once for cart pricing: the public view, unlisted ones only for orders itself', async () => {
    const listed = await product();
    const draft = await product({ status: 'PRODUCT_STATUS_DRAFT' });
    const res = await call('getProducts', {
      ids: [listed, draft, randomUUID(), listed],
    });
    expect(res.products.map((p) => p.id)).toEqual([listed]);
    const asService = await call('getProducts', {
      ids: [listed, draft],
      includeUnlisted: true,
    });
    expect(asService.products.map((p) => p.id).sort()).toEqual([listed, draft].sort());
    // Nobody else may ask at all: not orders for a buyer, not the gateway for anyone.
    for (const [caller, from] of [
      [CONSUMER, 'orders'],
      [CONSUMER, 'gateway'],
      [null, 'gateway'],
      [OFFICER, 'gateway'],
    ] as const) {
      const denied = await expectRejection(
        call('getProducts', { ids: [listed, draft], includeUnlisted: true }, caller, { from }),
      );
      expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    }
  });

  it('keeps stock sources within one producer, one level deep, and without lots of their own', async () => {
    const source = await product();
    const sold = await product({ stockSourceProductId: source });
    const chained = await expectRejection(
      call(
        'createProduct',
        {
          producerId,
          nameZh: '兔肉礼盒',
          category: 'meat',
          unit: 'box',
          price: { fen: 9_900, currency: 'CNY' },
          stockSourceProductId: sold,
        },
        OFFICER,
      ),
    );
    expect(chained.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorFieldNames(chained)).toEqual(['stockSourceProductId']);
    const ownLot = await expectRejection(
      call('createLot', { productId: sold, lotCode: 'X-1', producedOn: '2026-11-01', quantity: 3 }, OFFICER),
    );
    expect(ownLot.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorFieldNames(ownLot)).toEqual(['productId']);
  });
});
