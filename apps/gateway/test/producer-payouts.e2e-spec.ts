import { demoId } from '@yugong/shared/demo';
import { parse } from 'csv-parse/sync';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { signIn, type Account } from './support/accounts';
import { asText, undeliveredOrderEvents } from './support/outbox';
import { startPlatform, type Platform } from './support/platform';

const YANGGUANG = demoId('producer', 'yangguang');
const PRODUCER_ACCOUNT = '41050166880800000123';
const HOUSEHOLD_ACCOUNT = '6217000099887766';

type Anyone = 'anonymous' | 'consumer' | 'staff' | 'otherStaff' | 'officer' | 'auditor' | 'admin';
const COLUMNS: Anyone[] = ['anonymous', 'consumer', 'staff', 'otherStaff', 'officer', 'auditor', 'admin'];

interface LineJson {
  payeeKind: 'household' | 'producer';
  payeeId: string;
  householdId: string | null;
  amountFen: number;
  reference: string | null;
  status: string;
  skipReason: string | null;
}

describe('producer payouts through the gateway', () => {
  let platform: Platform;
  const as = async (who: Anyone): Promise<Record<string, string>> =>
    who === 'anonymous' ? {} : signIn(platform, who as Account);
  const nowhere = randomUUID();
  let household = '';

  const balances = async () => {
    const tb = await request(platform.http)
      .get('/api/v1/ledger/trial-balance')
      .set(await as('auditor'))
      .expect(200);
    return new Map(
      (tb.body.accounts as { code: string; balanceFen: number }[]).map((a) => [a.code, a.balanceFen]),
    );
  };
  const payable = async () => (await balances()).get(`producer:${YANGGUANG}:payable`) ?? 0;

  beforeAll(async () => {
    platform = await startPlatform(
      'producer_payouts_e2e',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, demoSales: true },
    );
    // The ledger posts the demo's sales at boot: wait until they are all in (two reads alike).
    const officer = await as('officer');
    let last = -1;
    for (const until = Date.now() + 120_000; Date.now() < until;) {
      const res = await request(platform.http)
        .get('/api/v1/ledger/household-income')
        .query({ asOf: '2021-01-01T00:00:00+08:00', windowMonths: 12 })
        .set(officer)
        .expect(200);
      const earning = (res.body.households as { householdId: string; recentFen: number }[]).filter(
        (h) => h.recentFen > 0,
      );
      const owed = await payable();
      if (earning.length > 0 && owed > 0 && owed === last) {
        household = earning[0]!.householdId;
        break;
      }
      last = owed;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
    expect(household).not.toBe('');
    // and until it has taken every one of them (orders' outbox drained): two reads alike can be a
    // ledger stalled on a loaded machine, and the payable this test compares must move only by
    // what it does.
    expect(await undeliveredOrderEvents(platform.ordersDatabaseUrl, 150_000)).toBe(0);
  }, 400_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const ROUTES: { name: string; send: (h: Record<string, string>) => request.Test; expected: number[] }[] = [
    {
      name: 'PUT producers/:id/payout-account (unknown producer)',
      expected: [401, 403, 403, 403, 404, 403, 404],
      send: (h) =>
        request(platform.http)
          .put(`/api/v1/producers/${nowhere}/payout-account`)
          .set(h)
          .send({ payeeName: '某合作社', accountNumber: '6217000012345678', bankName: '农业银行' }),
    },
    // prettier-ignore
    { name: 'GET producers/:id/payout-account (unknown producer)', expected: [401, 403, 403, 403, 404, 404, 404],
      send: (h) => request(platform.http).get(`/api/v1/producers/${nowhere}/payout-account`).set(h) },
    // prettier-ignore
    { name: "GET producers/:id/payout-account (Yangguang's, set)", expected: [401, 403, 200, 403, 200, 200, 200],
      send: (h) => request(platform.http).get(`/api/v1/producers/${YANGGUANG}/payout-account`).set(h) },
  ];

  it("sets a producer's account masked, and pays its payable beside a household's in one file", async () => {
    const officer = await as('officer');
    const set = await request(platform.http)
      .put(`/api/v1/producers/${YANGGUANG}/payout-account`)
      .set(officer)
      .send({
        payeeName: '济源市阳光兔业',
        accountNumber: '4105 0166 8808 0000 0123',
        bankName: '中国建设银行济源分行',
      })
      .expect(200);
    expect(set.headers['cache-control']).toContain('no-store');
    expect(set.body).toMatchObject({ producerId: YANGGUANG, accountNumber: '****0123', masked: true });
    const staffRead = await request(platform.http)
      .get(`/api/v1/producers/${YANGGUANG}/payout-account`)
      .set(await as('staff'))
      .expect(200);
    expect(staffRead.body).toMatchObject({ payeeName: '济源市阳光兔业', accountNumber: '****0123' });
    await request(platform.http)
      .put(`/api/v1/households/${household}/payout-account`)
      .set(officer)
      .send({ payeeName: '户主甲', accountNumber: HOUSEHOLD_ACCOUNT, bankName: '济源农商银行' })
      .expect(200);

    const owed = await payable();
    const created = await request(platform.http)
      .post('/api/v1/ledger/payout-batches')
      .set(officer)
      .send({ minimumFen: 1, memo: '生产者货款' })
      .expect(201);
    const batch = created.body as { id: string; totalFen: number; lines: LineJson[] };
    const producerLine = batch.lines.find((l) => l.payeeKind === 'producer' && l.payeeId === YANGGUANG)!;
    const householdLine = batch.lines.find((l) => l.payeeKind === 'household' && l.payeeId === household)!;
    expect(producerLine).toMatchObject({ status: 'reserved', amountFen: owed, householdId: null });
    expect(householdLine).toMatchObject({ status: 'reserved', householdId: household });
    // Producers without an account are listed, skipped.
    const others = batch.lines.filter((l) => l.payeeKind === 'producer' && l.payeeId !== YANGGUANG);
    expect(others.every((l) => l.status === 'skipped' && l.skipReason === 'no payout account')).toBe(true);
    expect(await payable()).toBe(0);

    const files: string[] = [];
    for (const _ of [1, 2]) {
      const file = await request(platform.http)
        .get(`/api/v1/ledger/payout-batches/${batch.id}/file`)
        .set(officer)
        .buffer(true)
        .parse(asText)
        .expect(200);
      files.push(file.body as string);
    }
    expect(files[0]).toBe(files[1]);
    const rows = parse(files[0]!, { columns: true }) as Record<string, string>[];
    const reserved = batch.lines.filter((l) => l.status === 'reserved');
    // One row per reserved line, in line order: households, then the producer.
    expect(rows.map((r) => r.reference)).toEqual(reserved.map((l) => l.reference));
    expect(rows.find((r) => r.reference === producerLine.reference)).toEqual({
      payee_name: '济源市阳光兔业',
      bank_account: PRODUCER_ACCOUNT,
      bank_name: '中国建设银行济源分行',
      amount: (owed / 100).toFixed(2),
      reference: producerLine.reference,
    });
    expect(rows.find((r) => r.reference === householdLine.reference)).toMatchObject({
      payee_name: '户主甲',
      bank_account: HOUSEHOLD_ACCOUNT,
    });

    await request(platform.http)
      .post(`/api/v1/ledger/payout-batches/${batch.id}/sent`)
      .set(officer)
      .expect(200);
    const settled = await request(platform.http)
      .post(`/api/v1/ledger/payout-batches/${batch.id}/settlement`)
      .set(officer)
      .send({ failedReferences: [producerLine.reference] })
      .expect(200);
    expect(settled.body).toMatchObject({ state: 'settled', failedFen: owed, paidFen: batch.totalFen - owed });
    expect(await payable()).toBe(owed);

    // No account number in any JSON answer.
    const answers = [
      set.text,
      staffRead.text,
      created.text,
      settled.text,
      (await request(platform.http).get(`/api/v1/ledger/payout-batches/${batch.id}`).set(officer)).text,
      (await request(platform.http).get(`/api/v1/producers/${YANGGUANG}`).set(officer)).text,
    ];
    for (const text of answers) {
      expect(text).not.toContain(PRODUCER_ACCOUNT);
      expect(text).not.toContain(PRODUCER_ACCOUNT.slice(-8));
    }
  }, 120_000);

  it('answers each role on the producer account routes as the matrix says, and no refusal writes', async () => {
    const got: Record<string, number[]> = {};
    const want: Record<string, number[]> = {};
    for (const route of ROUTES) {
      want[route.name] = route.expected;
      got[route.name] = [];
      for (const who of COLUMNS) {
        got[route.name]!.push((await route.send(await as(who))).status);
      }
    }
    expect(got).toEqual(want);
    const still = await request(platform.http)
      .get(`/api/v1/producers/${YANGGUANG}/payout-account`)
      .set(await as('auditor'))
      .expect(200);
    expect(still.body.payeeName).toBe('济源市阳光兔业');
  }, 60_000);

  it('refuses bad input naming the field', async () => {
    const bad = await request(platform.http)
      .put(`/api/v1/producers/${YANGGUANG}/payout-account`)
      .set(await as('officer'))
      .send({ payeeName: '', accountNumber: 'abc', bankName: '' })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'accountNumber',
      'bankName',
      'payeeName',
    ]);
  });
});
