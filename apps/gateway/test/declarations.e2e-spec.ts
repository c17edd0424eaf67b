import { demoId } from '@yugong/shared/demo';
import request from 'supertest';
import { signIn, type DemoAccount } from './support/accounts';
import { startPlatform, type Platform } from './support/platform';

/**
 * Quarterly declarations of off-platform sales through the gateway: who may declare, read, list
 * the overdue quarters and record payments (every role, exact status); the commitment reaches the
 * ledger's trial balance as the producer's receivable and payments settle it.
 */

type Anyone = DemoAccount | 'anonymous';

const YANGGUANG = demoId('producer', 'yangguang');
const RABBIT = demoId('product', 'yangguang/rabbit-chilled');
const DAY = 86_400_000;
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** The quarters (China time) that ended between `from` and now, oldest first. */
function endedQuarters(from: Date): string[] {
  const china = (d: Date) => new Date(d.getTime() + 8 * 3_600_000);
  const index = (d: Date) => china(d).getUTCFullYear() * 4 + Math.floor(china(d).getUTCMonth() / 3);
  const out: string[] = [];
  for (let q = index(from); q < index(new Date()); q++) {
    out.push(`${Math.floor(q / 4)}-Q${(q % 4) + 1}`);
  }
  return out;
}

// prettier-ignore
/** Status of: declare a quarter, list declarations, list overdue quarters, record a payment. */
const GRID: [Anyone, declare: number, list: number, overdue: number, pay: number][] = [
  ['officer',     201, 200, 200, 201],
  ['admin',       201, 200, 200, 201],
  ['auditor',     403, 200, 200, 403],
  ['staff',       201, 200, 403, 403],
  ['otherStaff',  404, 200, 403, 403],
  ['consumer',    403, 403, 403, 403],
  ['institution', 403, 403, 403, 403],
  ['anonymous',   401, 401, 401, 401],
];

describe('quarterly declarations through the gateway', () => {
  let platform: Platform;
  let licenceId: string;
  let quarters: string[];
  let paidDeclaration: string;

  const as = async (who: Anyone) => (who === 'anonymous' ? {} : signIn(platform, who));
  const declare = async (who: Anyone, quarter: string, body: object = { units: 100, revenueFen: 100_000 }) =>
    request(platform.http)
      .post(`/api/v1/licences/${licenceId}/declarations`)
      .set(await as(who))
      .send({ quarter, ...body });
  const pay = async (who: Anyone, amountFen: number, key: string) =>
    request(platform.http)
      .post(`/api/v1/declarations/${paidDeclaration}/payments`)
      .set(await as(who))
      .set('Idempotency-Key', key)
      .send({ amountFen, reference: `BANK ${key}` });
  const receivable = async () => {
    const tb = await request(platform.http)
      .get('/api/v1/ledger/trial-balance')
      .set(await as('auditor'))
      .expect(200);
    const account = (tb.body.accounts as { code: string; balanceFen: number }[]).find(
      (a) => a.code === `producer:${YANGGUANG}:commitment_receivable`,
    );
    return { balance: account?.balanceFen ?? 0, balanced: tb.body.balanced as boolean };
  };

  beforeAll(async () => {
    platform = await startPlatform(
      'e2e_declarations',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, licensing: true },
    );
    // 2 % of the revenue, at least ¥0.50 a unit; in force for the last 1,400 days.
    const applied = await request(platform.http)
      .post('/api/v1/licences')
      .set(await as('staff'))
      .send({ producerId: YANGGUANG, productIds: [RABBIT], commitmentBps: 200, minPerUnitFen: 50 })
      .expect(201);
    licenceId = applied.body.id;
    await request(platform.http)
      .post(`/api/v1/licences/${licenceId}/approve`)
      .set(await as('officer'))
      .send({ validFrom: daysFromNow(-1400), validTo: daysFromNow(365) })
      .expect(200);
    quarters = endedQuarters(new Date(Date.now() - 1390 * DAY));
    const made = await declare('staff', quarters[0]!, { units: 1_000, revenueFen: 3_000_000 }).then((r) =>
      r.status === 201 ? r : Promise.reject(new Error(JSON.stringify(r.body))),
    );
    paidDeclaration = made.body.id;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it.each(GRID.map((row, i) => [...row, i] as const))(
    '%s: declare %i, list %i, overdue %i, pay %i',
    async (who, declared, listed, overdue, paid, i) => {
      expect((await declare(who, quarters[i + 1]!)).status).toBe(declared);
      const list = await request(platform.http)
        .get('/api/v1/declarations')
        .set(await as(who));
      expect(list.status).toBe(listed);
      if (who === 'otherStaff') {
        expect(list.body.items).toEqual([]);
      }
      const late = await request(platform.http)
        .get('/api/v1/declarations/overdue')
        .set(await as(who));
      expect(late.status).toBe(overdue);
      expect((await pay(who, 1, `grid-payment-${i}`)).status).toBe(paid);
    },
  );

  it("posts the commitment as the producer's receivable; payments settle it, never beyond", async () => {
    const before = await receivable();
    const res = await declare('staff', quarters[quarters.length - 1]!, { units: 10, revenueFen: 1_234_567 });
    expect(res.status).toBe(201);
    // 2 % of ¥12,345.67 = 24691.34 fen → 24691 (half up), over 10 × ¥0.50.
    expect(res.body).toMatchObject({
      licenceId,
      producerId: YANGGUANG,
      commitment: { fen: 24_691 },
      paid: { fen: 0 },
      due: { fen: 24_691 },
      postedToLedger: true,
    });
    expect((await receivable()).balance - before.balance).toBe(24_691);
    expect((await declare('staff', quarters[quarters.length - 1]!)).status).toBe(409);

    // The first declaration: 1,000 units at ¥0.50 (50000) over 2 % of ¥30,000 (60000) → 60000.
    const list = await request(platform.http)
      .get(`/api/v1/declarations?quarter=${quarters[0]}`)
      .set(await as('officer'))
      .expect(200);
    const first = list.body.items[0];
    expect(first).toMatchObject({ id: paidDeclaration, commitment: { fen: 60_000 } });
    const dueNow = first.due.fen as number;
    const owed = await receivable();
    const paid = await pay('officer', dueNow, 'settle-all-1');
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ replayed: false, declaration: { due: { fen: 0 } } });
    expect((await pay('officer', dueNow, 'settle-all-1')).body.replayed).toBe(true);
    const over = await pay('officer', 1, 'settle-all-2');
    expect(over.status).toBe(409);
    expect(over.body.fields).toEqual([{ field: 'amountFen', reason: 'at most 0' }]);
    const after = await receivable();
    expect(owed.balance - after.balance).toBe(dueNow);
    expect(after.balanced).toBe(true);

    // Bad input names the field and writes nothing.
    const bad = await declare('staff', '2020-Q9');
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['quarter']);
    const noKey = await request(platform.http)
      .post(`/api/v1/declarations/${paidDeclaration}/payments`)
      .set(await as('officer'))
      .send({ amountFen: 1 });
    expect(noKey.status).toBe(400);
  });

  it('lists the quarters no one declared, past the grace days', async () => {
    const res = await request(platform.http)
      .get('/api/v1/declarations/overdue')
      .set(await as('officer'))
      .expect(200);
    expect(res.body.graceDays).toBe(30);
    const listed = (res.body.items as { licenceId: string; quarter: string }[])
      .filter((o) => o.licenceId === licenceId)
      .map((o) => o.quarter);
    const declared = (
      await request(platform.http)
        .get(`/api/v1/declarations?licenceId=${licenceId}&pageSize=100`)
        .set(await as('officer'))
    ).body.items.map((d: { quarter: string }) => d.quarter);
    expect(listed.length).toBeGreaterThan(0);
    for (const q of listed) {
      expect(declared).not.toContain(q);
    }
  });
});
