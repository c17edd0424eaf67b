import { describeWithRedis } from '@yugong/shared/testing';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { signIn, signInAs, type Account } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { startPlatform, type Platform } from './support/platform';
import type {
  LotTraceJson,
  OrderJson,
  OrderTraceJson,
  ProductJson,
  PublicSummaryJson,
  ReliefIncomeJson,
  TrialBalanceJson,
} from './support/views';

type Role = 'consumer' | 'otherConsumer' | 'staff' | 'officer' | 'auditor' | 'admin';
type Anyone = Role | 'anonymous';

/** A second public buyer, registered by the test. */
const OTHER_CONSUMER = { email: 'zhao.liu@example.com', password: 'a-long-password-for-ledger' };

const ACCOUNT: Record<Role, Account> = {
  consumer: 'consumer',
  otherConsumer: OTHER_CONSUMER,
  // Staff of the producer the order bought from: they ship it, but its money trace is not theirs.
  staff: 'staff',
  officer: 'officer',
  auditor: 'auditor',
  admin: 'admin',
};

const COLUMNS = ['anonymous', 'consumer', 'otherConsumer', 'staff', 'officer', 'auditor', 'admin'] as const;

type Endpoint =
  | 'GET /orders/:id/trace'
  | 'GET /lots/:id/trace'
  | 'GET /ledger/trial-balance'
  | 'GET /ledger/relief-income'
  | 'GET /ledger/public-summary'
  | 'GET /ledger/chain-head';

// prettier-ignore
const MATRIX: Record<Endpoint, readonly number[]> = {
  //                             anon  buyer  other  staff  offcr  audit  admin
  'GET /orders/:id/trace':      [401,   200,   404,   404,   200,   200,   200],
  'GET /lots/:id/trace':        [200,   200,   200,   200,   200,   200,   200],
  'GET /ledger/trial-balance':  [401,   403,   403,   403,   200,   200,   200],
  'GET /ledger/relief-income':  [401,   403,   403,   403,   200,   200,   200],
  'GET /ledger/public-summary': [200,   200,   200,   200,   200,   200,   200],
  'GET /ledger/chain-head':     [401,   403,   403,   403,   200,   200,   200],
};

/** What a line's money standing adds up to: every part of the split, net of refunds. */
function standing(line: OrderTraceJson['lines'][number]): number {
  return (
    line.householdAmount.fen +
    line.unallocatedAmount.fen +
    line.villages.reduce((s, v) => s + v.collectiveAmount.fen, 0) +
    line.licenceCommitment.fen +
    line.processorFee.fen +
    line.producerAmount.fen
  );
}

/** Sums of a CSV report's rows (header first, `TOTAL` row last), by column. */
function csvRows(body: string): Record<string, string>[] {
  return parse(body, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

// Carts and checkout live in the orders service, which needs Redis.
describeWithRedis('the ledger through the gateway', () => {
  let platform: Platform;
  let product: ProductJson;
  let order: OrderJson;

  async function as(role: Anyone): Promise<Record<string, string>> {
    return role === 'anonymous' ? {} : signIn(platform, ACCOUNT[role]);
  }

  /** GETs `path` as `role` until `done` holds of the response (the relay and the ledger are asynchronous). */
  async function poll(
    path: string,
    role: Anyone,
    done: (res: request.Response) => boolean,
    timeoutMs = 60_000,
  ): Promise<request.Response> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await request(platform.http)
        .get(path)
        .set(await as(role));
      if (done(res) || Date.now() > until) {
        return res;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    platform = await startPlatform(
      'ledger_e2e',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, demoSales: true },
    );
    await request(platform.http)
      .post('/api/v1/auth/register')
      .send({ ...OTHER_CONSUMER, name: '赵六' })
      .expect(202);
    // A product of a seeded leading enterprise (the staff's producer) whose lots name supplier households.
    const staff = await signInAs(platform, 'staff');
    const listed = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    product = (listed.body.items as ProductJson[]).find(
      (p) => staff.user.producerIds.includes(p.producerId) && p.stock >= 10,
    )!;
    expect(product).toBeDefined();
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  // The ledger posts the demo's sales of 2020 before this one: the time limit is generous for load.
  it('traces a bank-transfer sale to households and villages, to the fen, and follows a partial refund', async () => {
    const consumer = await as('consumer');
    const officer = await as('officer');
    const placed = await addAndCheckOut(
      platform,
      consumer,
      { productId: product.id, quantity: 3 },
      'ledger-e2e-order-1',
      { paymentMethod: 'manual', donationFen: 100 },
    );
    expect(placed.status).toBe(201);
    order = placed.body.order as OrderJson;
    const gross = 3 * product.price.fen;
    expect(order.total.fen).toBe(gross + 100);

    // Not paid: nothing posted, nothing to trace.
    await request(platform.http).get(`/api/v1/orders/${order.id}/trace`).set(consumer).expect(404);

    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/payments/manual`)
      .set(officer)
      .send({ amountFen: order.total.fen, reference: 'BOC-LEDGER-0001' })
      .expect(200);

    // The officer's view: every household with its id and fen.
    const full = await poll(`/api/v1/orders/${order.id}/trace`, 'officer', (r) => r.status === 200);
    expect(full.status).toBe(200);
    const officerTrace = full.body as OrderTraceJson;
    expect(officerTrace).toMatchObject({
      orderId: order.id,
      full: true,
      donation: { fen: 100 },
      netPaid: { fen: gross + 100 },
    });
    expect(officerTrace.lines).toHaveLength(1);
    const line = officerTrace.lines[0]!;
    expect(line).toMatchObject({
      lineId: order.lines[0]!.id,
      quantity: 3,
      refundedQuantity: 0,
      gross: { fen: gross },
    });
    expect(standing(line)).toBe(gross);
    // The line's household share, to the fen, reached named households in named villages.
    const share = Math.floor((gross * order.lines[0]!.householdShareBps) / 10_000);
    expect(line.householdAmount.fen + line.unallocatedAmount.fen).toBeGreaterThanOrEqual(share);
    expect(line.householdAmount.fen + line.unallocatedAmount.fen).toBeLessThanOrEqual(share + 1);
    expect(line.householdAmount.fen).toBeGreaterThan(0);
    expect(line.households.length).toBeGreaterThan(0);
    for (const h of line.households) {
      expect(h.householdId).toMatch(/^[0-9a-f-]{36}$/);
      expect(h.amount.fen).toBeGreaterThan(0);
    }
    expect(line.households.reduce((s, h) => s + h.amount.fen, 0)).toBe(line.householdAmount.fen);
    expect(line.villages.length).toBeGreaterThan(0);
    expect(line.villages.reduce((s, v) => s + v.households, 0)).toBe(
      new Set(line.households.map((h) => h.householdId)).size,
    );
    expect(line.villages.reduce((s, v) => s + v.householdAmount.fen, 0)).toBe(line.householdAmount.fen);
    expect(line.producerAmount.fen).toBeGreaterThan(0);
    expect(line.processorFee.fen).toBe(0); // bank transfer: no processor fee

    // The buyer's view: the same villages, counts and fen, and no household's identity.
    const mine = await request(platform.http)
      .get(`/api/v1/orders/${order.id}/trace`)
      .set(consumer)
      .expect(200);
    const buyerTrace = mine.body as OrderTraceJson;
    expect(buyerTrace.full).toBe(false);
    expect(buyerTrace.lines[0]!.households).toEqual([]);
    expect(buyerTrace.lines[0]!.villages).toEqual(line.villages);
    expect(buyerTrace.lines[0]!.householdAmount.fen).toBe(line.householdAmount.fen);
    expect(JSON.stringify(buyerTrace)).not.toContain(line.households[0]!.householdId!);

    // The lot's public trace shows this sale without household ids; an officer's shows them.
    const lotId = order.lines[0]!.lots[0]!.lotId;
    const publicLot = (await request(platform.http).get(`/api/v1/lots/${lotId}/trace`).expect(200))
      .body as LotTraceJson;
    expect(publicLot.full).toBe(false);
    expect(publicLot.lines.map((l) => l.lineId)).toContain(line.lineId);
    expect(publicLot.lines.every((l) => l.households.length === 0)).toBe(true);
    expect(publicLot.households).toBeGreaterThan(0);
    const officerLot = (
      await request(platform.http).get(`/api/v1/lots/${lotId}/trace`).set(officer).expect(200)
    ).body as LotTraceJson;
    expect(officerLot.full).toBe(true);
    expect(officerLot.lines.find((l) => l.lineId === line.lineId)!.households.length).toBeGreaterThan(0);

    // The producer refunds one of three units; the relief office pays it back.
    const refund = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/refunds`)
      .set(await as('staff'))
      .set('Idempotency-Key', 'ledger-e2e-refund-1')
      .send({ lines: [{ lineId: line.lineId, quantity: 1 }], reason: '包装破损', goodsReturned: true })
      .expect(201);
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/refunds/${refund.body.refund.id}/confirm`)
      .set(officer)
      .send({ reference: 'BOC-LEDGER-REFUND-1' })
      .expect(200);
    const after = await poll(
      `/api/v1/orders/${order.id}/trace`,
      'officer',
      (r) => r.status === 200 && (r.body as OrderTraceJson).lines[0]!.refundedQuantity === 1,
    );
    const refunded = after.body as OrderTraceJson;
    const afterLine = refunded.lines[0]!;
    expect(afterLine.refundedQuantity).toBe(1);
    // What stands is two units' worth, exactly; the donation stays with the fund.
    expect(standing(afterLine)).toBe(2 * product.price.fen);
    expect(refunded.netPaid.fen).toBe(gross + 100 - product.price.fen);
    expect(refunded.donation.fen).toBe(100);
    expect(afterLine.householdAmount.fen).toBeLessThan(line.householdAmount.fen);
    expect(afterLine.producerAmount.fen).toBeLessThan(line.producerAmount.fen);
    expect(afterLine.villages.reduce((s, v) => s + v.householdAmount.fen, 0)).toBe(
      afterLine.householdAmount.fen,
    );
    const buyerAfter = (
      await request(platform.http).get(`/api/v1/orders/${order.id}/trace`).set(consumer).expect(200)
    ).body as OrderTraceJson;
    expect(buyerAfter.lines[0]!.householdAmount.fen).toBe(afterLine.householdAmount.fen);

    // The officer downloads the village report as CSV: it holds this sale's villages, and its
    // TOTAL row is the sum of its rows and the JSON report's totals.
    const csv = await request(platform.http)
      .get('/api/v1/ledger/relief-income')
      .query({ groupBy: 'village', format: 'csv' })
      .set(officer)
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('relief-income-by-village.csv');
    const rows = csvRows(csv.text);
    const total = rows.pop()!;
    expect(total.village).toBe('TOTAL');
    expect(rows.reduce((s, r) => s + Number(r.household_fen), 0)).toBe(Number(total.household_fen));
    expect(rows.reduce((s, r) => s + Number(r.collective_fen), 0)).toBe(Number(total.collective_fen));
    for (const v of afterLine.villages) {
      const row = rows.find((r) => r.village === v.villageId);
      expect(row).toBeDefined();
      expect(Number(row!.household_fen)).toBeGreaterThanOrEqual(v.householdAmount.fen);
    }
    const json = (
      await request(platform.http)
        .get('/api/v1/ledger/relief-income')
        .query({ groupBy: 'village' })
        .set(officer)
        .expect(200)
    ).body as ReliefIncomeJson;
    expect(json.householdAmount.fen).toBe(Number(total.household_fen));
    expect(json.rows).toHaveLength(rows.length);
  }, 120_000);

  it('answers a trial balance that sums to zero, as JSON and as CSV', async () => {
    const officer = await as('officer');
    const tb = (await request(platform.http).get('/api/v1/ledger/trial-balance').set(officer).expect(200))
      .body as TrialBalanceJson;
    expect(tb.balanced).toBe(true);
    expect(tb.accounts.length).toBeGreaterThan(0);
    expect(tb.totalDebitFen).toBeGreaterThan(0);
    expect(tb.totalDebitFen).toBe(tb.totalCreditFen);
    expect(tb.accounts.reduce((s, a) => s + a.debitFen - a.creditFen, 0)).toBe(0);

    const csv = await request(platform.http)
      .get('/api/v1/ledger/trial-balance')
      .set(await as('auditor'))
      .set('Accept', 'text/csv')
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csvRows(csv.text);
    const total = rows.pop()!;
    expect(total).toMatchObject({ code: 'TOTAL', type: 'balanced', balance_fen: '0' });
    expect(rows.length).toBeGreaterThanOrEqual(tb.accounts.length);
    expect(rows.reduce((s, r) => s + Number(r.debit_fen) - Number(r.credit_fen), 0)).toBe(0);
    expect(Number(total.debit_fen)).toBe(rows.reduce((s, r) => s + Number(r.debit_fen), 0));
  });

  it('answers the public summary by town to anyone, and the chain head to auditors', async () => {
    const summary = (await request(platform.http).get('/api/v1/ledger/public-summary').expect(200))
      .body as PublicSummaryJson;
    expect(summary.reliefFund.fen).toBeGreaterThanOrEqual(100);
    for (const town of summary.towns) {
      expect(town.households).toBeGreaterThanOrEqual(5);
    }
    expect(JSON.stringify(summary)).not.toMatch(/householdId/);

    const head = await poll(
      '/api/v1/ledger/chain-head',
      'auditor',
      (r) => r.status === 200 && r.body.sequence > 0,
    );
    expect(head.body).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(head.body.sequence).toBeGreaterThan(0);
  });

  it('names the field of a bad report query', async () => {
    const officer = await as('officer');
    const cases: [Record<string, string>, string][] = [
      [{ groupBy: 'county' }, 'groupBy'],
      [{ groupBy: 'month', from: '2020-13-01' }, 'from'],
      [{ to: 'yesterday' }, 'to'],
      [{ from: '2020-06-01T00:00:00+08:00', to: '2020-05-01T00:00:00+08:00' }, 'to'],
      [{ format: 'xlsx' }, 'format'],
    ];
    for (const [query, field] of cases) {
      const res = await request(platform.http).get('/api/v1/ledger/relief-income').query(query).set(officer);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.fields).toEqual([expect.objectContaining({ field })]);
    }
    const month = await request(platform.http)
      .get('/api/v1/ledger/relief-income')
      .query({ groupBy: 'month', from: '2020-01-01T00:00:00+08:00', to: '2021-01-01T00:00:00+08:00' })
      .set(officer)
      .expect(200);
    for (const row of (month.body as ReliefIncomeJson).rows) {
      expect(row.key).toMatch(/^2020-(0[1-9]|1[0-2])$/);
    }
    await request(platform.http).get('/api/v1/orders/not-a-uuid/trace').set(officer).expect(400);
  });

  it('lets each role reach only what it may (role × endpoint)', async () => {
    const lotId = order.lines[0]!.lots[0]!.lotId;
    const paths: Record<Endpoint, string> = {
      'GET /orders/:id/trace': `/api/v1/orders/${order.id}/trace`,
      'GET /lots/:id/trace': `/api/v1/lots/${lotId}/trace`,
      'GET /ledger/trial-balance': '/api/v1/ledger/trial-balance',
      'GET /ledger/relief-income': '/api/v1/ledger/relief-income?groupBy=town',
      'GET /ledger/public-summary': '/api/v1/ledger/public-summary',
      'GET /ledger/chain-head': '/api/v1/ledger/chain-head',
    };
    const seen: Record<string, number[]> = {};
    for (const endpoint of Object.keys(MATRIX) as Endpoint[]) {
      seen[endpoint] = [];
      for (const role of COLUMNS) {
        const res = await request(platform.http)
          .get(paths[endpoint])
          .set(await as(role));
        seen[endpoint]!.push(res.status);
      }
    }
    expect(seen).toEqual(MATRIX);
    // Another buyer's 404 is the same as for an order that does not exist.
    const missing = await request(platform.http)
      .get('/api/v1/orders/00000000-0000-4000-8000-000000000000/trace')
      .set(await as('otherConsumer'))
      .expect(404);
    const other = await request(platform.http)
      .get(`/api/v1/orders/${order.id}/trace`)
      .set(await as('otherConsumer'))
      .expect(404);
    expect(other.body.error).toBe(missing.body.error);
  });
});
