import { parse } from 'csv-parse/sync';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { signIn, type Account } from './support/accounts';
import { asText, undeliveredOrderEvents } from './support/outbox';
import { startPlatform, type Platform } from './support/platform';

type Role = 'consumer' | 'staff' | 'officer' | 'auditor' | 'admin';
type Anyone = Role | 'anonymous';
const COLUMNS = ['anonymous', 'consumer', 'staff', 'officer', 'auditor', 'admin'] as const;

interface LineJson {
  householdId: string;
  amountFen: number;
  reference: string | null;
  status: string;
  skipReason: string | null;
}
interface BatchJson {
  id: string;
  number: number;
  state: string;
  totalFen: number;
  lineCount: number;
  skippedCount: number;
  paidFen: number;
  failedFen: number;
  lines: LineJson[];
}
interface StatementJson {
  closingBalance: { fen: number };
  entries: { postingId: number; memo: string; side: string; amount: { fen: number } }[];
}

const accountNumberOf = (i: number) => `62170000${String(40_000_000 + i)}`;

describe('payout batches through the gateway', () => {
  let platform: Platform;
  const ACCOUNT: Record<Role, Account> = {
    consumer: 'consumer',
    staff: 'staff',
    officer: 'officer',
    auditor: 'auditor',
    admin: 'admin',
  };
  const as = async (role: Anyone): Promise<Record<string, string>> =>
    role === 'anonymous' ? {} : signIn(platform, ACCOUNT[role]);
  const nowhere = randomUUID();
  let paid: string[] = [];

  beforeAll(async () => {
    platform = await startPlatform(
      'payouts_e2e',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, demoSales: true },
    );
    // The ledger posts the demo's sales at boot: wait until households have income.
    const officer = await as('officer');
    for (const until = Date.now() + 90_000; Date.now() < until;) {
      const res = await request(platform.http)
        .get('/api/v1/ledger/household-income')
        .query({ asOf: '2021-01-01T00:00:00+08:00', windowMonths: 12 })
        .set(officer)
        .expect(200);
      const households = (res.body.households as { householdId: string; recentFen: number }[]).filter(
        (h) => h.recentFen > 0,
      );
      if (households.length >= 3) {
        paid = households.slice(0, 3).map((h) => h.householdId);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(paid).toHaveLength(3);
    // and until it has taken every one of them (orders' outbox drained): the balances this test
    // compares then move only by what it does.
    expect(await undeliveredOrderEvents(platform.ordersDatabaseUrl, 150_000)).toBe(0);
  }, 330_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const statement = async (householdId: string) =>
    (
      await request(platform.http)
        .get(`/api/v1/households/${householdId}/statement`)
        .query({ limit: 500 })
        .set(await as('auditor'))
        .expect(200)
    ).body as StatementJson;

  it('pays a batch once: accounts set masked, the file made twice alike and logged, sent, settled with one failed line put back', async () => {
    const officer = await as('officer');
    for (const [i, householdId] of paid.entries()) {
      const set = await request(platform.http)
        .put(`/api/v1/households/${householdId}/payout-account`)
        .set(officer)
        .send({ payeeName: `户主${i}`, accountNumber: accountNumberOf(i), bankName: '济源农商银行' })
        .expect(200);
      expect(set.headers['cache-control']).toContain('no-store');
      expect(set.body).toMatchObject({ accountNumber: `****${accountNumberOf(i).slice(-4)}`, masked: true });
    }
    const created = await request(platform.http)
      .post('/api/v1/ledger/payout-batches')
      .set(officer)
      .send({ minimumFen: 1, memo: '2020年分红代发' })
      .expect(201);
    const batch = created.body as BatchJson;
    const lines = batch.lines.filter((l) => l.status === 'reserved');
    expect(lines.map((l) => l.householdId).sort()).toEqual([...paid].sort());
    expect(batch.skippedCount).toBe(batch.lines.length - 3);
    expect(
      batch.lines.filter((l) => l.status === 'skipped').every((l) => l.skipReason === 'no payout account'),
    ).toBe(true);
    expect(batch.totalFen).toBe(lines.reduce((s, l) => s + l.amountFen, 0));

    const files = [];
    for (const _ of [1, 2]) {
      const file = await request(platform.http)
        .get(`/api/v1/ledger/payout-batches/${batch.id}/file`)
        .set(officer)
        .buffer(true)
        .parse(asText)
        .expect(200);
      expect(file.headers['content-type']).toContain('text/csv');
      files.push(file.body as string);
    }
    expect(files[0]).toBe(files[1]);
    const rows = parse(files[0]!, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    for (const line of lines) {
      const i = paid.indexOf(line.householdId);
      expect(rows.find((r) => r.reference === line.reference)).toEqual({
        payee_name: `户主${i}`,
        bank_account: accountNumberOf(i),
        bank_name: '济源农商银行',
        amount: (line.amountFen / 100).toFixed(2),
        reference: line.reference,
      });
    }
    const log = await request(platform.http)
      .get('/api/v1/register/access-log')
      .query({ householdId: paid[0] })
      .set(await as('auditor'))
      .expect(200);
    expect(
      (log.body.items as { purpose: string }[]).filter((e) => e.purpose === `payout batch ${batch.id}`),
    ).toHaveLength(2);

    // Sent twice: in transit once. The bank returns one line: exactly that comes back.
    for (const _ of [1, 2]) {
      const sent = await request(platform.http)
        .post(`/api/v1/ledger/payout-batches/${batch.id}/sent`)
        .set(officer);
      expect(sent.status).toBe(200);
      expect(sent.body.state).toBe('sent');
    }
    const failed = lines[1]!;
    const before = await statement(failed.householdId);
    const settled = await request(platform.http)
      .post(`/api/v1/ledger/payout-batches/${batch.id}/return-file`)
      .set(officer)
      .attach('file', Buffer.from(`reference,reason\n${failed.reference},账户已销户\n`), 'return.csv')
      .expect(200);
    expect(settled.body).toMatchObject({
      state: 'settled',
      failedFen: failed.amountFen,
      paidFen: batch.totalFen - failed.amountFen,
    });
    const after = await statement(failed.householdId);
    // The demo's sales may still be reaching the ledger: whatever else was posted in between is
    // taken out, and what is left of the change is exactly the failed line put back.
    const seen = new Set(before.entries.map((e) => e.postingId));
    const others = after.entries
      .filter((e) => !seen.has(e.postingId) && !e.memo.startsWith(`payout batch ${batch.id}`))
      .reduce((sum, e) => sum + (e.side === 'credit' ? e.amount.fen : -e.amount.fen), 0);
    expect(after.closingBalance.fen - before.closingBalance.fen - others).toBe(failed.amountFen);
    const memos = after.entries.filter((e) => e.memo.startsWith(`payout batch ${batch.id}`));
    expect(memos.map((e) => [e.side, e.amount.fen])).toEqual([
      ['debit', failed.amountFen],
      ['credit', failed.amountFen],
    ]);
    const again = await request(platform.http)
      .post(`/api/v1/ledger/payout-batches/${batch.id}/settlement`)
      .set(officer)
      .send({ failedReferences: [] });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('PAYOUT_BATCH_SETTLED');

    // No account number in any answer but the file itself.
    const answers = [
      created.text,
      settled.text,
      (await request(platform.http).get('/api/v1/ledger/payout-batches').set(officer)).text,
      (await request(platform.http).get(`/api/v1/ledger/payout-batches/${batch.id}`).set(officer)).text,
      JSON.stringify(after),
      (
        await request(platform.http)
          .get(`/api/v1/households/${paid[0]}`)
          .query({ masked: 'true' })
          .set(officer)
      ).text,
      (
        await request(platform.http)
          .get(`/api/v1/households/${paid[0]}/payout-account`)
          .set(await as('auditor'))
      ).text,
    ];
    for (const [i] of paid.entries()) {
      for (const text of answers) {
        expect(text).not.toContain(accountNumberOf(i));
      }
    }
  }, 120_000);

  const ROUTES: { name: string; send: (h: Record<string, string>) => request.Test; expected: number[] }[] = [
    {
      name: 'POST payout-batches',
      expected: [401, 403, 403, 409, 403, 409],
      send: (h) =>
        request(platform.http)
          .post('/api/v1/ledger/payout-batches')
          .set(h)
          .send({ minimumFen: 100_000_000_00 }),
    },
    // prettier-ignore
    { name: 'GET payout-batches', expected: [401, 403, 403, 200, 200, 200],
      send: (h) => request(platform.http).get('/api/v1/ledger/payout-batches').set(h) },
    // prettier-ignore
    { name: 'GET payout-batches/:id', expected: [401, 403, 403, 404, 404, 404],
      send: (h) => request(platform.http).get(`/api/v1/ledger/payout-batches/${nowhere}`).set(h) },
    // prettier-ignore
    { name: 'GET payout-batches/:id/file', expected: [401, 403, 403, 404, 403, 404],
      send: (h) => request(platform.http).get(`/api/v1/ledger/payout-batches/${nowhere}/file`).set(h) },
    // prettier-ignore
    { name: 'POST payout-batches/:id/sent', expected: [401, 403, 403, 404, 403, 404],
      send: (h) => request(platform.http).post(`/api/v1/ledger/payout-batches/${nowhere}/sent`).set(h) },
    {
      name: 'POST payout-batches/:id/settlement',
      expected: [401, 403, 403, 404, 403, 404],
      send: (h) =>
        request(platform.http)
          .post(`/api/v1/ledger/payout-batches/${nowhere}/settlement`)
          .set(h)
          .send({ failedReferences: [] }),
    },
    {
      name: 'POST payout-batches/:id/return-file',
      expected: [401, 403, 403, 404, 403, 404],
      send: (h) =>
        request(platform.http)
          .post(`/api/v1/ledger/payout-batches/${nowhere}/return-file`)
          .set(h)
          .attach('file', Buffer.from('reference\n'), 'return.csv'),
    },
    {
      name: 'PUT households/:id/payout-account',
      expected: [401, 403, 403, 404, 403, 404],
      send: (h) =>
        request(platform.http)
          .put(`/api/v1/households/${nowhere}/payout-account`)
          .set(h)
          .send({ payeeName: '李四', accountNumber: '6217000012345678', bankName: '农业银行' }),
    },
    // prettier-ignore
    { name: 'GET households/:id/payout-account', expected: [401, 403, 403, 404, 404, 404],
      send: (h) => request(platform.http).get(`/api/v1/households/${nowhere}/payout-account`).query({ masked: 'true' }).set(h) },
  ];

  it('answers each role on each route as the matrix says, and no refusal writes', async () => {
    const before = await request(platform.http)
      .get('/api/v1/ledger/payout-batches')
      .set(await as('auditor'));
    const got: Record<string, number[]> = {};
    const want: Record<string, number[]> = {};
    for (const route of ROUTES) {
      want[route.name] = route.expected;
      got[route.name] = [];
      for (const role of COLUMNS) {
        got[route.name]!.push((await route.send(await as(role))).status);
      }
    }
    expect(got).toEqual(want);
    const after = await request(platform.http)
      .get('/api/v1/ledger/payout-batches')
      .set(await as('auditor'));
    expect(after.body.items).toEqual(before.body.items);
  }, 120_000);

  it('refuses bad input naming the field', async () => {
    const officer = await as('officer');
    const bad = await request(platform.http)
      .post('/api/v1/ledger/payout-batches')
      .set(officer)
      .send({ minimumFen: 0 })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['minimumFen']);
    const account = await request(platform.http)
      .put(`/api/v1/households/${paid[0]}/payout-account`)
      .set(officer)
      .send({ payeeName: '', accountNumber: 'abc', bankName: '' })
      .expect(400);
    expect(account.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'accountNumber',
      'bankName',
      'payeeName',
    ]);
    const noFile = await request(platform.http)
      .post(`/api/v1/ledger/payout-batches/${nowhere}/return-file`)
      .set(officer)
      .send({})
      .expect(400);
    expect(noFile.body.fields[0].field).toBe('file');
  });
});
