import { demoId } from '@yugong/shared/demo';
import { describeWithRedis } from '@yugong/shared/testing';
import request from 'supertest';
import { signIn, type DemoAccount } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { startPlatform, type Platform } from './support/platform';
import type { LicenceJson, OrderJson, OrderTraceJson, ProductJson } from './support/views';

/**
 * LOGO licences through the gateway: who may call each route (every role, exact status); 阳光兔业
 * applies, an officer approves and the storefront shows the LOGO; a sale snapshots the terms and
 * the ledger posts the commitment they say, to the fen, across partial refunds; suspension takes
 * the LOGO off the cached listing at once; nobody reviews their own application.
 */

type Anyone = DemoAccount | 'anonymous';

const YANGGUANG = demoId('producer', 'yangguang');
const RABBIT = demoId('product', 'yangguang/rabbit-chilled');
const RABBIT_HEADS = demoId('product', 'yangguang/rabbit-heads');
const RABBIT_JERKY = demoId('product', 'yangguang/rabbit-jerky');
const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

// prettier-ignore
/** Status of: apply, list, review queue, read one, approve, suspend. */
const GRID: [Anyone, apply: number, list: number, queue: number, get: number, approve: number, suspend: number][] = [
  ['officer',     201, 200, 200, 200, 200, 200],
  ['admin',       201, 200, 200, 200, 200, 200],
  ['auditor',     403, 200, 200, 200, 403, 403],
  ['staff',       201, 200, 403, 200, 403, 403],
  ['otherStaff',  403, 200, 403, 404, 403, 403],
  ['consumer',    403, 403, 403, 403, 403, 403],
  ['institution', 403, 403, 403, 403, 403, 403],
  ['anonymous',   401, 401, 401, 401, 401, 401],
];

// Checkout needs carts, which live in Redis.
describeWithRedis('LOGO licences through the gateway', () => {
  let platform: Platform;

  const as = async (who: Anyone) => (who === 'anonymous' ? {} : signIn(platform, who));
  const product = async (id: string) =>
    (await request(platform.http).get(`/api/v1/products/${id}`).expect(200)).body as ProductJson;
  const listedLicensed = async (id: string) => {
    const res = await request(platform.http)
      .get('/api/v1/products')
      .query({ producerId: YANGGUANG, pageSize: 100 })
      .expect(200);
    return (res.body.items as ProductJson[]).find((p) => p.id === id)!.licensed;
  };
  const apply = async (
    who: Anyone,
    productIds: string[],
    body: object = { commitmentBps: 200, minPerUnitFen: 50 },
  ) =>
    request(platform.http)
      .post('/api/v1/licences')
      .set(await as(who))
      .send({ producerId: YANGGUANG, productIds, note: '2020 rabbit line', ...body });
  const approve = async (who: Anyone, id: string) =>
    request(platform.http)
      .post(`/api/v1/licences/${id}/approve`)
      .set(await as(who))
      .send({ validFrom: daysFromNow(-1), validTo: daysFromNow(365) });

  /** GETs `path` as `who` until `done` holds (the relay and the ledger are asynchronous). */
  async function poll(path: string, who: Anyone, done: (res: request.Response) => boolean) {
    const until = Date.now() + 60_000;
    for (;;) {
      const res = await request(platform.http)
        .get(path)
        .set(await as(who));
      if (done(res) || Date.now() > until) {
        return res;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    platform = await startPlatform(
      'e2e_licensing',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, licensing: true },
    );
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it.each(GRID)(
    '%s: apply %i, list %i, queue %i, get %i, approve %i, suspend %i',
    async (who, ...expected) => {
      // Each row reviews an application of its own, made by the staff; the officer's row approves it.
      const pending = (await apply('staff', [RABBIT_JERKY])).body as LicenceJson;
      const headers = await as(who);
      const applied = await apply(who, [RABBIT_JERKY]);
      const list = await request(platform.http).get('/api/v1/licences').set(headers);
      const queue = await request(platform.http).get('/api/v1/licences/review-queue').set(headers);
      const got = await request(platform.http).get(`/api/v1/licences/${pending.id}`).set(headers);
      const approved = await approve(who, pending.id);
      const suspended = await request(platform.http)
        .post(`/api/v1/licences/${pending.id}/suspend`)
        .set(headers)
        .send({ reason: 'row check' });
      expect([
        applied.status,
        list.status,
        queue.status,
        got.status,
        approved.status,
        suspended.status,
      ]).toEqual(expected);
      if (who === 'otherStaff') {
        expect(list.body.items).toEqual([]); // not its producer's licences
      }
      if (approved.status === 200) {
        // Leave nothing live for the next row: revoke it.
        await request(platform.http)
          .post(`/api/v1/licences/${pending.id}/revoke`)
          .set(await as('officer'))
          .send({ reason: 'grid row done' })
          .expect(200);
      } else {
        await request(platform.http)
          .post(`/api/v1/licences/${pending.id}/reject`)
          .set(await as('officer'))
          .send({ reason: 'grid row done' })
          .expect(200);
      }
    },
  );

  it('refuses bad input naming the field, and a review of an application by its own author', async () => {
    const none = await apply('staff', [RABBIT], { commitmentBps: 0 });
    expect(none.status).toBe(400);
    expect(none.body.fields.map((f: { field: string }) => f.field)).toEqual(['commitmentBps']);
    const fractional = await apply('staff', [RABBIT], { commitmentBps: 2.5 });
    expect(fractional.status).toBe(400);
    expect(fractional.body.fields.map((f: { field: string }) => f.field)).toEqual(['commitmentBps']);
    const own = (await apply('officer', [RABBIT])).body as LicenceJson;
    const selfApproved = await approve('officer', own.id);
    expect(selfApproved.status).toBe(403);
    const late = await request(platform.http)
      .post(`/api/v1/licences/${own.id}/approve`)
      .set(await as('admin'))
      .send({ validFrom: daysFromNow(-10), validTo: daysFromNow(-1) });
    expect(late.status).toBe(400);
    expect(late.body.fields.map((f: { field: string }) => f.field)).toEqual(['validTo']);
    await request(platform.http)
      .post(`/api/v1/licences/${own.id}/reject`)
      .set(await as('admin'))
      .send({ reason: 'filed twice' })
      .expect(200);
  });

  // A sale through orders, the relay and the ledger: the time limit is generous for load.
  it('阳光兔业 applies, an officer approves, the LOGO shows; a sale commits the terms to the fen across refunds', async () => {
    const applied = await apply('staff', [RABBIT, RABBIT_HEADS]);
    expect(applied.status).toBe(201);
    const licence = applied.body as LicenceJson;
    expect(licence).toMatchObject({ status: 'pending', number: null, commitment: { bps: 200 } });
    expect(await listedLicensed(RABBIT)).toBe(false); // the listing is cached now
    const queue = await request(platform.http)
      .get('/api/v1/licences/review-queue')
      .set(await as('officer'))
      .expect(200);
    expect((queue.body.items as LicenceJson[]).map((l) => l.id)).toContain(licence.id);

    const approved = (await approve('officer', licence.id)).body as LicenceJson;
    expect(approved).toMatchObject({ status: 'approved', covering: true });
    expect(approved.number).toMatch(/^LOGO-\d{4}-\d{6}$/);
    expect(await listedLicensed(RABBIT)).toBe(true);
    expect(await product(RABBIT)).toMatchObject({ licensed: true, licenceNumber: approved.number });

    // A sale of 3 units: per unit the larger of 2 % of the price and ¥0.50.
    const rabbit = await product(RABBIT);
    const perUnit = Math.max(Math.floor((rabbit.price.fen * 200 + 5_000) / 10_000), 50);
    const consumer = await as('consumer');
    const placed = await addAndCheckOut(
      platform,
      consumer,
      { productId: RABBIT, quantity: 3 },
      `lic-${Date.now()}`,
    );
    expect(placed.status).toBe(201);
    const order = placed.body.order as OrderJson;
    expect(order.lines[0]!.licence).toMatchObject({
      licenceId: licence.id,
      number: approved.number,
      commitmentBps: 200,
      minPerUnit: { fen: 50 },
    });
    const officer = await as('officer');
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/payments/manual`)
      .set(officer)
      .send({ amountFen: order.total.fen, reference: 'BOC-LOGO-0001' })
      .expect(200);
    const paid = await poll(`/api/v1/orders/${order.id}/trace`, 'officer', (r) => r.status === 200);
    const lineId = order.lines[0]!.id;
    expect((paid.body as OrderTraceJson).lines[0]!.licenceCommitment.fen).toBe(3 * perUnit);

    // Suspension after the sale changes neither its terms nor its commitment; the LOGO goes at once.
    await request(platform.http)
      .post(`/api/v1/licences/${licence.id}/suspend`)
      .set(officer)
      .send({ reason: 'labels misused at a market' })
      .expect(200);
    expect(await listedLicensed(RABBIT)).toBe(false);
    expect(await product(RABBIT)).toMatchObject({ licensed: false, licenceNumber: null });

    for (const [n, left] of [
      [1, 2],
      [2, 1],
    ] as const) {
      const refund = await request(platform.http)
        .post(`/api/v1/orders/${order.id}/refunds`)
        .set(await as('staff'))
        .set('Idempotency-Key', `lic-refund-${order.id}-${n}`)
        .send({ lines: [{ lineId, quantity: 1 }], reason: '包装破损', goodsReturned: true })
        .expect(201);
      await request(platform.http)
        .post(`/api/v1/orders/${order.id}/refunds/${refund.body.refund.id}/confirm`)
        .set(officer)
        .send({ reference: `BOC-LOGO-REFUND-${n}` })
        .expect(200);
      const after = await poll(
        `/api/v1/orders/${order.id}/trace`,
        'officer',
        (r) => r.status === 200 && (r.body as OrderTraceJson).lines[0]!.refundedQuantity === n,
      );
      expect((after.body as OrderTraceJson).lines[0]!.licenceCommitment.fen).toBe(left * perUnit);
    }

    const history = (
      await request(platform.http)
        .get(`/api/v1/licences/${licence.id}`)
        .set(await as('staff'))
        .expect(200)
    ).body as LicenceJson;
    expect(history.history.map((h) => [h.from, h.to, h.reason])).toEqual([
      [null, 'pending', '2020 rabbit line'],
      ['pending', 'approved', ''],
      ['approved', 'suspended', 'labels misused at a market'],
    ]);
  }, 180_000);
});
