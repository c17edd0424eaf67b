import { demoId } from '@yugong/shared/demo';
import { describeWithRedis } from '@yugong/shared/testing';
import { Client } from 'pg';
import request from 'supertest';
import { signIn, type DemoAccount } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { startPlatform, type Platform } from './support/platform';
import type { OrderJson, OrderTraceJson, ProductJson } from './support/views';

/**
 * Producer review and product certification through the gateway: who may call each route (every
 * role, exact status), a product bought only once certified, off sale at once when revoked (the
 * gateway's cached listing included) while its orders and their money trace stay readable, a
 * suspended producer's products off sale until it is reinstated, and bad input refused.
 */

type Anyone = DemoAccount | 'anonymous';

/** 阳光兔业: `staff` works for it, `otherStaff` does not. */
const YANGGUANG = demoId('producer', 'yangguang');

interface CertificateJson {
  id: string;
  number: string;
  productId: string;
  status: string;
  validFrom: string;
  validTo: string;
  certifiedBy: string | null;
  revocationReason: string | null;
}

const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

// prettier-ignore
/** Status of: apply, read own applications, certify, list certificates, review queue. */
const GRID: [Anyone, apply: number, mine: number, certify: number, list: number, queue: number][] = [
  ['officer',     201, 403, 201, 200, 200],
  ['admin',       201, 403, 409, 200, 200],
  ['auditor',     403, 403, 403, 200, 200],
  ['staff',       201, 200, 403, 200, 403],
  ['otherStaff',  201, 200, 403, 200, 403],
  ['consumer',    403, 403, 403, 403, 403],
  ['institution', 403, 403, 403, 403, 403],
  ['anonymous',   401, 401, 401, 401, 401],
];

/** Credit codes whose GB 32100-2015 check character is right, one per applying role. */
const CREDIT_CODES: Partial<Record<Anyone, string>> = {
  officer: '91350100M000100Y43',
  admin: '91110000600037341L',
  staff: '91110000802100433B',
  otherStaff: '9144030012345678XN',
};

// Checkout needs carts, which live in Redis.
describeWithRedis('certification through the gateway', () => {
  let platform: Platform;
  let catalogSql: Client;
  /** A draft of 阳光兔业 every role tries to certify. */
  let gridProduct: string;

  const as = async (who: Anyone) => (who === 'anonymous' ? {} : signIn(platform, who));
  const count = async (table: string) =>
    (await catalogSql.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;

  /** A draft product of 阳光兔业 drafted by its staff, with 50 units. */
  async function draft(nameZh: string): Promise<string> {
    const staff = await as('staff');
    const res = await request(platform.http)
      .post(`/api/v1/producers/${YANGGUANG}/products`)
      .set(staff)
      .send({ nameZh, category: 'meat', unit: 'kg', priceFen: 6_800 })
      .expect(201);
    expect(res.body).toMatchObject({ status: 'draft', reliefCertification: '' });
    await request(platform.http)
      .post(`/api/v1/products/${res.body.id}/lots`)
      .set(staff)
      .send({ lotCode: `C-${Date.now()}`, producedOn: '2026-11-20', quantity: 50 })
      .expect(201);
    return res.body.id as string;
  }

  const certify = async (who: Anyone, productId: string, body?: object) =>
    request(platform.http)
      .post(`/api/v1/products/${productId}/certificates`)
      .set(await as(who))
      .send(body ?? { validFrom: daysFromNow(-1), validTo: daysFromNow(365) });

  const listed = async (productId: string) => {
    const res = await request(platform.http)
      .get('/api/v1/products')
      .query({ producerId: YANGGUANG, pageSize: 100 })
      .expect(200);
    return (res.body.items as ProductJson[]).some((p) => p.id === productId);
  };

  /** GETs an order's money trace as the officer until the ledger has posted it (it catches up asynchronously). */
  async function traceOf(orderId: string, timeoutMs = 200_000): Promise<request.Response> {
    const officer = await as('officer');
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await request(platform.http).get(`/api/v1/orders/${orderId}/trace`).set(officer);
      if (res.status === 200 || Date.now() > until) {
        return res;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  beforeAll(async () => {
    // The ledger runs so that an order paid before a revocation can be traced after it.
    platform = await startPlatform('e2e_cert', {}, { ledger: true });
    catalogSql = new Client({ connectionString: platform.catalogDatabaseUrl });
    await catalogSql.connect();
    gridProduct = await draft('兔肉认定测试装');
  }, 240_000);

  afterAll(async () => {
    await catalogSql?.end();
    await platform?.stop();
  }, 60_000);

  it('sells the seeded products under the certificates the demo seed issued', async () => {
    const { rows } = await catalogSql.query(
      `select count(*)::int as n from product_certificate where status = 'valid' and number like 'JY-2020-%'`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(20);
    const res = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const product of res.body.items as ProductJson[]) {
      expect(product.reliefCertification).toMatch(/^JY-2020-\d{6}$/);
    }
  });

  it.each(GRID)('%s: apply %i, own %i, certify %i, list %i, queue %i', async (who, ...expected) => {
    const headers = await as(who);
    const apply = await request(platform.http)
      .post('/api/v1/producers')
      .set(headers)
      .send({
        kind: 'cooperative',
        legalName: `济源市${who}申请合作社`,
        creditCode: CREDIT_CODES[who] ?? '91350100M000100Y43',
        town: '王屋镇',
        householdShareBps: 1000,
        documents: ['doc:business-licence'],
      });
    const mine = await request(platform.http).get('/api/v1/producers/mine').set(headers);
    const certified = await certify(who, gridProduct);
    const list = await request(platform.http)
      .get('/api/v1/certificates')
      .query({ productId: gridProduct })
      .set(headers);
    const queue = await request(platform.http).get('/api/v1/review-queue').set(headers);
    expect([apply.status, mine.status, certified.status, list.status, queue.status]).toEqual(expected);
    if (apply.status === 201) {
      expect(apply.body.status).toBe('pending');
    }
    if (who === 'staff') {
      expect(
        (mine.body.items as { id: string; status: string }[]).find((p) => p.id === apply.body.id),
      ).toMatchObject({
        status: 'pending',
      });
    }
    if (who === 'otherStaff') {
      expect(list.body.items).toEqual([]); // not its producer's certificates
    }
  });

  it('takes a product to sale only when certified, off sale at once when revoked, keeping its orders', async () => {
    const productId = await draft('兔肉认定旅程装');
    const consumer = await as('consumer');
    const early = await request(platform.http)
      .post('/api/v1/cart/items')
      .set(consumer)
      .send({ productId, quantity: 1 });
    expect(early.status).toBe(409);
    expect(early.body.fields.map((f: { field: string }) => f.field)).toEqual(['productId']);
    expect(await listed(productId)).toBe(false); // the listing is cached now

    const issued = await certify('officer', productId);
    expect(issued.status).toBe(201);
    const certificate = issued.body.certificate as CertificateJson;
    expect(certificate.number).toMatch(/^JY-\d{4}-\d{6}$/);
    expect(issued.body.product).toMatchObject({ status: 'active', reliefCertification: certificate.number });
    expect(await listed(productId)).toBe(true);

    const bought = await addAndCheckOut(platform, consumer, { productId, quantity: 2 }, `cert-${Date.now()}`);
    expect(bought.status).toBe(201);
    const order = bought.body.order as OrderJson;
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/payments/manual`)
      .set(await as('officer'))
      .send({ amountFen: order.total.fen, reference: `BOC-CERT-${Date.now()}` })
      .expect(200);
    const tracedBefore = await traceOf(order.id);
    expect(tracedBefore.status).toBe(200);
    const before = tracedBefore.body as OrderTraceJson;
    expect(before.lines).toHaveLength(1);
    expect(before.lines[0]!.householdAmount.fen).toBeGreaterThan(0);
    expect(before.lines[0]!.households.length).toBeGreaterThan(0);
    await request(platform.http)
      .post('/api/v1/cart/items')
      .set(consumer)
      .send({ productId, quantity: 1 })
      .expect(201);

    const revoked = await request(platform.http)
      .post(`/api/v1/certificates/${certificate.id}/revoke`)
      .set(await as('officer'))
      .send({ reason: 'rabbits bought outside the supply agreements' })
      .expect(200);
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      revocationReason: 'rabbits bought outside the supply agreements',
    });
    expect(await listed(productId)).toBe(false);
    await request(platform.http).get(`/api/v1/products/${productId}`).expect(404);
    const late = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', `cert-late-${Date.now()}`)
      .send({ paymentMethod: 'manual' });
    expect(late.status).toBe(409);
    expect(late.body.fields.map((f: { field: string }) => f.field)).toEqual([`cart.${productId}`]);

    const kept = await request(platform.http).get(`/api/v1/orders/${order.id}`).set(consumer).expect(200);
    expect(
      kept.body.lines.map((l: { productId: string; quantity: number }) => [l.productId, l.quantity]),
    ).toEqual([[productId, 2]]);
    // The money it paid still traces to the same households, villages and fen.
    const after = (
      await request(platform.http)
        .get(`/api/v1/orders/${order.id}/trace`)
        .set(await as('officer'))
        .expect(200)
    ).body as OrderTraceJson;
    expect(after).toEqual(before);
    const buyer = (
      await request(platform.http).get(`/api/v1/orders/${order.id}/trace`).set(consumer).expect(200)
    ).body as OrderTraceJson;
    expect(buyer.lines[0]!.villages).toEqual(before.lines[0]!.villages);
    expect(buyer.lines[0]!.householdAmount).toEqual(before.lines[0]!.householdAmount);
    const history = await request(platform.http)
      .get('/api/v1/certificates')
      .query({ productId })
      .set(await as('staff'))
      .expect(200);
    expect(history.body.items).toEqual([
      expect.objectContaining({ id: certificate.id, status: 'revoked', certifiedBy: null }),
    ]);
    // The time limit is generous for a loaded runner: the ledger must post the payment before its trace.
  }, 240_000);

  it("takes a suspended producer's products off sale (cached listing included) until it is reinstated", async () => {
    const productId = await draft('兔肉暂停旅程装');
    const officer = await as('officer');
    await certify('officer', productId).then((res) => expect(res.status).toBe(201));
    const producerListing = async () =>
      (
        await request(platform.http)
          .get('/api/v1/products')
          .query({ producerId: YANGGUANG, pageSize: 100 })
          .expect(200)
      ).body.items as ProductJson[];
    const onSale = (await producerListing()).length;
    expect(onSale).toBeGreaterThan(1); // the seeded rabbit products and this one, cached now
    await request(platform.http).get(`/api/v1/products/${productId}`).expect(200);
    const consumer = await as('consumer');
    // An empty cart (the journey above left a revoked product in it).
    const cart = await request(platform.http).get('/api/v1/cart').set(consumer).expect(200);
    for (const item of cart.body.items as { productId: string }[]) {
      await request(platform.http).delete(`/api/v1/cart/items/${item.productId}`).set(consumer).expect(200);
    }
    await request(platform.http)
      .post('/api/v1/cart/items')
      .set(consumer)
      .send({ productId, quantity: 1 })
      .expect(201);
    const setStatus = (status: string, reason: string) =>
      request(platform.http)
        .patch(`/api/v1/producers/${YANGGUANG}/status`)
        .set(officer)
        .send({ status, reason });

    try {
      const suspended = await setStatus('suspended', 'supply agreements under inspection');
      expect(suspended.status).toBe(200);
      expect(suspended.body.status).toBe('suspended');
      expect(await producerListing()).toEqual([]);
      await request(platform.http).get(`/api/v1/products/${productId}`).expect(404);
      const adding = await request(platform.http)
        .post('/api/v1/cart/items')
        .set(consumer)
        .send({ productId, quantity: 1 });
      expect(adding.status).toBe(409);
      expect(adding.body.fields.map((f: { field: string }) => f.field)).toEqual(['productId']);
      // Already in a cart: the checkout's stock hold refuses it, naming the line.
      const refused = await request(platform.http)
        .post('/api/v1/checkout')
        .set(consumer)
        .set('Idempotency-Key', `cert-suspended-${Date.now()}`)
        .send({ paymentMethod: 'manual' });
      expect(refused.status).toBe(409);
      expect(refused.body.fields.map((f: { field: string }) => f.field)).toEqual([`cart.${productId}`]);
    } finally {
      const reinstated = await setStatus('verified', 'inspection passed');
      expect(reinstated.status).toBe(200);
    }

    expect((await producerListing()).length).toBe(onSale);
    await request(platform.http).get(`/api/v1/products/${productId}`).expect(200);
    const bought = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', `cert-reinstated-${Date.now()}`)
      .send({ paymentMethod: 'manual' });
    expect(bought.status).toBe(201);
    expect((bought.body.order as OrderJson).lines.map((l) => l.productId)).toEqual([productId]);
    const { rows } = await catalogSql.query(
      `select from_status, to_status, reason from producer_status_change
        where producer_id = $1 order by created_at desc limit 2`,
      [YANGGUANG],
    );
    expect(rows).toEqual([
      { from_status: 'suspended', to_status: 'verified', reason: 'inspection passed' },
      { from_status: 'verified', to_status: 'suspended', reason: 'supply agreements under inspection' },
    ]);
  });

  it('refuses bad certification and review input with 400 naming the field, writing nothing', async () => {
    const productId = await draft('兔肉坏输入装');
    const before = await count('product_certificate');
    const cases: [object, string[]][] = [
      [{ validFrom: daysFromNow(0) }, ['validTo']],
      [{ validFrom: '2026-13-01', validTo: daysFromNow(30) }, ['validFrom']],
      [{ validFrom: daysFromNow(10), validTo: daysFromNow(5) }, ['validTo']],
      [{ validFrom: daysFromNow(0), validTo: daysFromNow(30), number: 'JY-2026-000001' }, ['number']],
    ];
    for (const [body, fields] of cases) {
      const res = await certify('officer', productId, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect([...new Set(res.body.fields.map((f: { field: string }) => f.field))]).toEqual(fields);
    }
    const officer = await as('officer');
    const noReason = await request(platform.http)
      .patch(`/api/v1/producers/${YANGGUANG}/status`)
      .set(officer)
      .send({ status: 'suspended' })
      .expect(400);
    expect(noReason.body.fields.map((f: { field: string }) => f.field)).toEqual(['reason']);
    const ownNumber = await request(platform.http)
      .patch(`/api/v1/products/${productId}`)
      .set(await as('staff'))
      .send({ reliefCertification: '济扶认字〔2026〕001号' })
      .expect(400);
    expect(ownNumber.body.fields.map((f: { field: string }) => f.field)).toEqual(['reliefCertification']);
    await request(platform.http).get('/api/v1/review-queue').query({ limit: 0 }).set(officer).expect(400);
    expect(await count('product_certificate')).toBe(before);
    const { rows } = await catalogSql.query(`select status from producer where id = $1`, [YANGGUANG]);
    expect(rows).toEqual([{ status: 'verified' }]);
  });
});
