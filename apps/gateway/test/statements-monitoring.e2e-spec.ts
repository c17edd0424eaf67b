// Longer than 400 lines: statements and monitoring share one platform with the ledger, whose boot
// (posting the demo's 2020 sales) costs a minute of CPU on the shared machine; one file boots it once.
import { describeWithRedis } from '@yugong/shared/testing';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import type { caseJson, refreshJson } from '../src/beneficiaries/monitoring.views';
import type { incomeWindowsJson, statementJson } from '../src/ledger/statements.views';
import { signIn, signInAs, type DemoAccount } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { startPlatform, type Platform } from './support/platform';
import type { OrderJson, OrderTraceJson, ProductJson } from './support/views';

type StatementJson = ReturnType<typeof statementJson>;
type IncomeJson = ReturnType<typeof incomeWindowsJson>;
type CaseJson = ReturnType<typeof caseJson>;
type RefreshJson = ReturnType<typeof refreshJson>;

type Anyone = DemoAccount | 'anonymous';
const COLUMNS = [
  'anonymous',
  'consumer',
  'institution',
  'staff',
  'otherStaff',
  'officer',
  'auditor',
  'admin',
] as const;

type Endpoint =
  | 'GET /households/:id/statement'
  | 'GET /ledger/household-income'
  | 'POST /monitoring/refresh'
  | 'GET /monitoring/cases'
  | 'POST /monitoring/cases/:id/visit'
  | 'GET /producers/:id/balance';

// The statement's household is linked to `staff`'s producer and not to `otherStaff`'s.
// prettier-ignore
const MATRIX: Record<Endpoint, readonly number[]> = {
  //                                   anon  cons  inst  staff other offcr audit admin
  'GET /households/:id/statement':    [401,  404,  404,  200,  404,  200,  200,  200],
  'GET /ledger/household-income':     [401,  403,  403,  403,  403,  200,  200,  200],
  'POST /monitoring/refresh':         [401,  403,  403,  403,  403,  200,  403,  200],
  'GET /monitoring/cases':            [401,  403,  403,  403,  403,  200,  200,  200],
  'POST /monitoring/cases/:id/visit': [401,  403,  403,  403,  403,  200,  403,  200],
  // Of `staff`'s producer.
  'GET /producers/:id/balance':       [401,  403,  403,  200,  403,  200,  200,  200],
};

/** The demo's windows: its sales are all of 2020, so monitoring compares the year's two halves. */
const DEMO_AS_OF = '2021-01-01T00:00:00+08:00';
const DEMO_WINDOW_MONTHS = 6;
/** The default poverty line of the beneficiaries config, fen per member per year. */
const POVERTY_LINE_FEN = 20_000;

function signed(e: StatementJson['entries'][number]): number {
  return e.side === 'credit' ? e.amount.fen : -e.amount.fen;
}

// Checkout lives in the orders service, which needs Redis.
describeWithRedis('household statements and return-to-poverty monitoring', () => {
  let platform: Platform;
  let householdId: string;
  let unlinkedStaffProducers: string[];

  const as = async (who: Anyone): Promise<Record<string, string>> =>
    who === 'anonymous' ? {} : signIn(platform, who);

  async function statement(who: Anyone, query: Record<string, string> = {}): Promise<request.Response> {
    return request(platform.http)
      .get(`/api/v1/households/${householdId}/statement`)
      .query(query)
      .set(await as(who));
  }

  /** Every entry of a statement, page by page. */
  async function allEntries(who: Anyone, query: Record<string, string>): Promise<StatementJson> {
    const first = (await statement(who, { ...query, limit: '7' })).body as StatementJson;
    const entries = [...first.entries];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = (await statement(who, { ...query, limit: '7', cursor })).body as StatementJson;
      entries.push(...page.entries);
      cursor = page.nextCursor;
    }
    return { ...first, entries, nextCursor: null };
  }

  async function income(): Promise<IncomeJson> {
    const res = await request(platform.http)
      .get('/api/v1/ledger/household-income')
      .query({ asOf: DEMO_AS_OF, windowMonths: DEMO_WINDOW_MONTHS })
      .set(await as('officer'))
      .expect(200);
    return res.body as IncomeJson;
  }

  beforeAll(async () => {
    platform = await startPlatform(
      'stmt_e2e',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, demoSales: true },
    );
    // The ledger posts the demo's 2020 sales at boot: wait until their income stands still.
    let last = '';
    for (const until = Date.now() + 90_000; Date.now() < until;) {
      const now = await income();
      const key = JSON.stringify(now.households);
      if (now.households.length > 0 && key === last) {
        break;
      }
      last = key;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    unlinkedStaffProducers = (await signInAs(platform, 'otherStaff')).user.producerIds;
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('opens cases by itself: the job refreshes them with no officer asking', async () => {
    let total = 0;
    for (const until = Date.now() + 100_000; total === 0 && Date.now() < until;) {
      const res = await request(platform.http)
        .get('/api/v1/monitoring/cases')
        .set(await as('auditor'))
        .expect(200);
      total = (res.body as { total: number }).total;
      if (total === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    expect(total).toBeGreaterThan(0);
    const first = (
      await request(platform.http)
        .get('/api/v1/monitoring/cases')
        .set(await as('officer'))
        .expect(200)
    ).body as { items: CaseJson[] };
    // Opened by the service itself, not a user.
    expect(first.items[0]!.history[0]).toMatchObject({ kind: 'opened', userId: null });
  }, 120_000);

  it('states a household to the fen across a sale and its partial refund: opening, running and closing balance', async () => {
    const consumer = await as('consumer');
    const officer = await as('officer');
    const staff = await signInAs(platform, 'staff');
    const listed = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    const product = (listed.body.items as ProductJson[]).find(
      (p) => staff.user.producerIds.includes(p.producerId) && p.stock >= 10,
    )!;
    const placed = await addAndCheckOut(
      platform,
      consumer,
      { productId: product.id, quantity: 3 },
      'stmt-e2e-order-1',
    );
    expect(placed.status).toBe(201);
    const order = placed.body.order as OrderJson;
    const from = new Date(Date.now() - 1_000).toISOString();
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/payments/manual`)
      .set(officer)
      .send({ amountFen: order.total.fen, reference: 'BOC-STMT-0001' })
      .expect(200);
    let trace: OrderTraceJson | undefined;
    for (const until = Date.now() + 60_000; !trace && Date.now() < until;) {
      const res = await request(platform.http).get(`/api/v1/orders/${order.id}/trace`).set(officer);
      trace = res.status === 200 ? (res.body as OrderTraceJson) : undefined;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const line = trace!.lines[0]!;
    // A household of this sale that the other producer has no agreement with.
    let reached: (typeof line.households)[number] | undefined;
    for (const h of line.households.filter((x) => x.amount.fen >= 3)) {
      const agreements = await request(platform.http)
        .get(`/api/v1/households/${h.householdId}/agreements`)
        .set(officer)
        .expect(200);
      const producers = (agreements.body.items as { producerId: string }[]).map((a) => a.producerId);
      if (!producers.some((p) => unlinkedStaffProducers.includes(p))) {
        reached = h;
        break;
      }
    }
    householdId = reached!.householdId!;
    const saleFen = line.households
      .filter((h) => h.householdId === householdId)
      .reduce((s, h) => s + h.amount.fen, 0);

    // One of three units refunded and paid back: the household gives back its share of it.
    const refund = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/refunds`)
      .set(staff.headers)
      .set('Idempotency-Key', 'stmt-e2e-refund-1')
      .send({ lines: [{ lineId: line.lineId, quantity: 1 }], reason: '包装破损' })
      .expect(201);
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/refunds/${refund.body.refund.id}/confirm`)
      .set(officer)
      .send({ reference: 'BOC-STMT-REFUND-1' })
      .expect(200);
    let after: OrderTraceJson | undefined;
    for (const until = Date.now() + 60_000; Date.now() < until;) {
      after = (await request(platform.http).get(`/api/v1/orders/${order.id}/trace`).set(officer))
        .body as OrderTraceJson;
      if (after.lines[0]!.refundedQuantity === 1) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const netFen = after!.lines[0]!.households.filter((h) => h.householdId === householdId).reduce(
      (s, h) => s + h.amount.fen,
      0,
    );
    const refundFen = saleFen - netFen;
    expect(refundFen).toBeGreaterThan(0);
    expect(refundFen).toBeLessThan(saleFen);

    // The whole history, then the range from just before this sale: its opening balance is the
    // sum of everything before, to the fen, and each entry's balance is the one before plus it.
    const whole = await allEntries('officer', {});
    expect(whole.full).toBe(true);
    expect(whole.openingBalance!.fen).toBe(0);
    const opening = whole.entries
      .filter((e) => Date.parse(e.occurredAt!) < Date.parse(from))
      .reduce((s, e) => s + signed(e), 0);
    const ranged = await allEntries('officer', { from });
    expect(ranged.openingBalance!.fen).toBe(opening);
    const ours = ranged.entries.filter((e) => e.source?.orderId === order.id);
    expect(ours.map((e) => [e.kind, e.side])).toEqual([
      ['sale', 'credit'],
      ['refund', 'debit'],
    ]);
    expect(ours.filter((e) => e.side === 'credit').reduce((s, e) => s + e.amount.fen, 0)).toBe(saleFen);
    expect(ours.filter((e) => e.side === 'debit').reduce((s, e) => s + e.amount.fen, 0)).toBe(refundFen);
    expect(ours[0]!.source).toMatchObject({
      orderId: order.id,
      lineId: line.lineId,
      productId: product.id,
      producerId: product.producerId,
      lotId: reached!.lotId,
    });
    let running = opening;
    for (const e of ranged.entries) {
      running += signed(e);
      expect(e.balance!.fen).toBe(running);
    }
    expect(ranged.closingBalance!.fen).toBe(running);
    expect(ranged.credits.fen - ranged.debits.fen).toBe(running - opening);
    expect(ranged.closingBalance!.fen).toBe(whole.closingBalance!.fen);

    // The same as CSV: an OPENING row, the entries with their balances, a CLOSING row.
    const csv = await statement('auditor', { from, format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows[0]).toMatchObject({ occurred_at: 'OPENING', balance_fen: String(opening) });
    expect(rows[rows.length - 1]).toMatchObject({ occurred_at: 'CLOSING', balance_fen: String(running) });
    expect(rows.slice(1, -1).map((r) => Number(r.balance_fen))).toEqual(
      ranged.entries.map((e) => e.balance!.fen),
    );
  }, 180_000);

  it("shows a linked producer's staff only their own sales' credits, masked, with no balance", async () => {
    const staff = await signInAs(platform, 'staff');
    const res = await statement('staff');
    expect(res.status).toBe(200);
    const body = res.body as StatementJson;
    expect(body.full).toBe(false);
    expect(body.household.masked).toBe(true);
    expect(body.household.headName).toContain('*');
    expect(body.openingBalance).toBeNull();
    expect(body.closingBalance).toBeNull();
    expect(body.entries.length).toBeGreaterThan(0);
    for (const e of body.entries) {
      expect(e.side).toBe('credit');
      expect(staff.user.producerIds).toContain(e.source!.producerId);
      expect(e.balance).toBeNull();
    }
    // Everything the office sees from this producer's sales, and nothing else.
    const office = await allEntries('officer', {});
    const own = office.entries.filter(
      (e) => e.side === 'credit' && staff.user.producerIds.includes(e.source?.producerId ?? ''),
    );
    expect(body.credits.fen).toBe(own.reduce((s, e) => s + e.amount.fen, 0));
    expect(body.debits.fen).toBe(0);
  });

  it('refuses a statement to staff of an unlinked producer and to buyers as if it did not exist', async () => {
    expect(unlinkedStaffProducers.length).toBeGreaterThan(0);
    for (const who of ['otherStaff', 'consumer', 'institution'] as const) {
      const res = await statement(who);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('balance');
    }
    const bad = await statement('officer', { from: '2020-06-01', to: '2020-05-01' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([{ field: 'to', reason: 'must be after from' }]);
    const cursor = await statement('officer', { cursor: 'bm90LWEtY3Vyc29y' });
    expect(cursor.status).toBe(400);
    expect(cursor.body.fields[0].field).toBe('cursor');
  });

  it('flags a seeded household whose income halved and not one above the line; cases move open → visited → closed', async () => {
    const officer = await as('officer');
    const windows = await income();
    const refreshed = await request(platform.http)
      .post('/api/v1/monitoring/refresh')
      .set(officer)
      .send({})
      .expect(200);
    const result = refreshed.body as RefreshJson;
    expect(result).toMatchObject({
      asOf: new Date(DEMO_AS_OF).toISOString(),
      windowMonths: DEMO_WINDOW_MONTHS,
    });
    expect(result.assessed).toBe(windows.households.length);
    expect(result.flagged).toBeGreaterThan(0);
    expect(result.flagged).toBeLessThan(result.assessed);

    const all: CaseJson[] = [];
    for (let page = 1; ; page++) {
      const res = await request(platform.http)
        .get('/api/v1/monitoring/cases')
        .query({ page, pageSize: 100 })
        .set(officer)
        .expect(200);
      all.push(...(res.body.items as CaseJson[]));
      if (res.body.items.length < 100) {
        break;
      }
    }
    // A case stays until an officer closes it: one the job opened while the ledger was still
    // posting the demo may no longer be flagged, and says so.
    const current = all.filter((c) => c.stillFlagged);
    expect(current).toHaveLength(result.flagged);
    const byHousehold = new Map(current.map((c) => [c.householdId, c]));

    const halved = windows.households.filter((h) => h.priorFen > 0 && h.recentFen * 2 <= h.priorFen);
    expect(halved.length).toBeGreaterThan(0);
    for (const h of halved) {
      const flagged = byHousehold.get(h.householdId)!;
      expect(flagged.reasons).toContain('income_drop');
      expect(flagged.dropBps).toBeGreaterThanOrEqual(5_000);
      expect(flagged.recentIncome.fen).toBe(h.recentFen);
      expect(flagged.priorIncome.fen).toBe(h.priorFen);
      expect(flagged.headName).toContain('*');
    }
    // Above the line per member (the register's members), and not falling: no case.
    let aboveChecked = 0;
    for (const h of windows.households.filter((x) => x.recentFen >= x.priorFen)) {
      const household = (
        await request(platform.http)
          .get(`/api/v1/households/${h.householdId}`)
          .query({ masked: 'true' })
          .set(officer)
          .expect(200)
      ).body as { members: number };
      const perMember = Math.floor((h.recentFen * 12) / (DEMO_WINDOW_MONTHS * household.members));
      if (perMember >= POVERTY_LINE_FEN) {
        expect(byHousehold.has(h.householdId)).toBe(false);
        aboveChecked++;
      }
      if (aboveChecked >= 3) {
        break;
      }
    }
    expect(aboveChecked).toBeGreaterThan(0);

    // By town and village, and as CSV.
    const one = byHousehold.get(halved[0]!.householdId)!;
    const inVillage = (
      await request(platform.http)
        .get('/api/v1/monitoring/cases')
        .query({ townId: one.townId, villageId: one.villageId })
        .set(await as('auditor'))
        .expect(200)
    ).body as { items: CaseJson[]; total: number };
    expect(inVillage.items.every((c) => c.villageId === one.villageId)).toBe(true);
    expect(inVillage.items.map((c) => c.id)).toContain(one.id);
    const csv = await request(platform.http)
      .get('/api/v1/monitoring/cases')
      .set(officer)
      .set('Accept', 'text/csv')
      .expect(200);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(all.length);
    expect(rows.find((r) => r.case_id === one.id)).toMatchObject({
      status: 'open',
      household_id: one.householdId,
    });

    // A visit needs a note; then visited, closed, and a closed case stays closed.
    const noNote = await request(platform.http)
      .post(`/api/v1/monitoring/cases/${one.id}/visit`)
      .set(officer)
      .send({ note: '' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.fields[0].field).toBe('note');
    const visited = await request(platform.http)
      .post(`/api/v1/monitoring/cases/${one.id}/visit`)
      .set(officer)
      .send({ note: '入户走访：兔场停产，已联系合作社恢复收购' })
      .expect(200);
    expect(visited.body.status).toBe('visited');
    const steps = (visited.body as CaseJson).history;
    expect(steps[0]!.kind).toBe('opened');
    expect(steps.slice(1, -1).every((e) => e.kind === 'refreshed')).toBe(true);
    expect(steps[steps.length - 1]).toMatchObject({
      kind: 'visited',
      note: '入户走访：兔场停产，已联系合作社恢复收购',
    });
    const audited = (
      await request(platform.http)
        .get('/api/v1/monitoring/cases')
        .query({ villageId: one.villageId, status: 'visited' })
        .set(await as('auditor'))
        .expect(200)
    ).body as { items: CaseJson[] };
    const seen = audited.items.find((c) => c.id === one.id)!;
    expect(seen.history.find((e) => e.kind === 'visited')!.note).toBe('***');
    await request(platform.http)
      .post(`/api/v1/monitoring/cases/${one.id}/close`)
      .set(officer)
      .send({ note: '收入恢复' })
      .expect(200);
    const again = await request(platform.http)
      .post(`/api/v1/monitoring/cases/${one.id}/close`)
      .set(officer)
      .send({});
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('CASE_MOVE_REFUSED');

    // A refresh refreshes the open cases and opens a new one for the closed household: history kept.
    const second = (
      await request(platform.http).post('/api/v1/monitoring/refresh').set(officer).send({}).expect(200)
    ).body as RefreshJson;
    // (The job may have run between: who opened it does not matter, that it is there does.)
    expect(second).toMatchObject({ flagged: result.flagged, refreshed: 0 });
    expect(second.opened).toBeLessThanOrEqual(1);
    const both = (
      await request(platform.http)
        .get('/api/v1/monitoring/cases')
        .query({ villageId: one.villageId, pageSize: 100 })
        .set(officer)
        .expect(200)
    ).body as { items: CaseJson[] };
    expect(
      both.items
        .filter((c) => c.householdId === one.householdId)
        .map((c) => c.status)
        .sort(),
    ).toEqual(['closed', 'open']);
  }, 180_000);

  it('lets each role reach only what it may (role × endpoint)', async () => {
    const cases = (
      await request(platform.http)
        .get('/api/v1/monitoring/cases')
        .set(await as('officer'))
        .expect(200)
    ).body as { items: CaseJson[] };
    const caseId = cases.items.find((c) => c.status !== 'closed')!.id;
    const producerId = (await signInAs(platform, 'staff')).user.producerIds[0]!;
    const calls: Record<Endpoint, (headers: Record<string, string>) => request.Test> = {
      'GET /households/:id/statement': (h) =>
        request(platform.http).get(`/api/v1/households/${householdId}/statement`).set(h),
      'GET /ledger/household-income': (h) =>
        request(platform.http).get('/api/v1/ledger/household-income').set(h),
      'POST /monitoring/refresh': (h) =>
        request(platform.http).post('/api/v1/monitoring/refresh').set(h).send({}),
      'GET /monitoring/cases': (h) => request(platform.http).get('/api/v1/monitoring/cases').set(h),
      'POST /monitoring/cases/:id/visit': (h) =>
        request(platform.http)
          .post(`/api/v1/monitoring/cases/${caseId}/visit`)
          .set(h)
          .send({ note: '电话回访' }),
      'GET /producers/:id/balance': (h) =>
        request(platform.http).get(`/api/v1/producers/${producerId}/balance`).set(h),
    };
    const seen: Record<string, number[]> = {};
    for (const endpoint of Object.keys(MATRIX) as Endpoint[]) {
      seen[endpoint] = [];
      for (const who of COLUMNS) {
        seen[endpoint].push((await calls[endpoint](await as(who))).status);
      }
    }
    expect(seen).toEqual(MATRIX);

    // What the staff see of their producer is the ledger's: the payable nets to its credits and debits.
    const balance = (
      await request(platform.http)
        .get(`/api/v1/producers/${producerId}/balance`)
        .set(await as('staff'))
        .expect(200)
    ).body as { payable: { fen: number }; payableCredits: { fen: number }; payableDebits: { fen: number } };
    expect(balance.payableCredits.fen).toBeGreaterThan(0);
    expect(balance.payable.fen).toBe(balance.payableCredits.fen - balance.payableDebits.fen);
    const bad = await request(platform.http)
      .get('/api/v1/producers/not-a-producer/balance')
      .set(await as('officer'));
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('id');
  }, 120_000);
});
