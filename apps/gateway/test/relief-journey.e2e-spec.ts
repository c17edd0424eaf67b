// The relief fund's whole journey on the demo region, as the "done when" tells it: the
// seeded orders' donations distributed by a run two officers decide, paid out in a batch the bank
// settles with one failed line, seen on a household's statement, reconciled to nothing, and the
// monitoring cases listed; every service's log and the ledger's database free of account numbers.
// Longer than 400 lines: the journey is one story on one platform, whose boot (the ledger posting
// the demo's 2020 sales) costs minutes of CPU on the shared machine.
import { demoId } from '@yugong/shared/demo';
import { setLogDestination } from '@yugong/shared/logging';
import { parse } from 'csv-parse/sync';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import request from 'supertest';
import type { caseJson, refreshJson } from '../src/beneficiaries/monitoring.views';
import type { statementJson } from '../src/ledger/statements.views';
import { signIn, type Account } from './support/accounts';
import { asText, undeliveredOrderEvents } from './support/outbox';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';
import type { TrialBalanceJson } from './support/views';

type StatementJson = ReturnType<typeof statementJson>;
type CaseJson = ReturnType<typeof caseJson>;
type RefreshJson = ReturnType<typeof refreshJson>;

interface RunJson {
  id: string;
  state: string;
  policy: string;
  totalFen: number;
  recipients: number;
  proposedBy: string;
  decidedBy: string | null;
  transactionId: string | null;
  shares: { householdId: string; members: number; amountFen: number }[];
}
interface LineJson {
  payeeKind: 'household' | 'producer';
  payeeId: string;
  amountFen: number;
  reference: string | null;
  status: string;
}
interface BatchJson {
  id: string;
  state: string;
  totalFen: number;
  paidFen: number;
  failedFen: number;
  lines: LineJson[];
}

const SECOND_OFFICER = { email: 'officer2@example.com', password: DEMO_PASSWORD };
const HOUSEHOLD_ACCOUNTS = ['6217000055501001', '6217000055502002', '6217000055503003'];
/** Yangguang's account, entered with spaces as a clerk types it; the bank file has the digits. */
const PRODUCER_ACCOUNT = '4105 0166 8808 0000 7777';
const PRODUCER_DIGITS = PRODUCER_ACCOUNT.replace(/\s/g, '');
const SECRETS = [...HOUSEHOLD_ACCOUNTS, PRODUCER_ACCOUNT, PRODUCER_DIGITS];

const signedFen = (e: { side: string; amount: { fen: number } }) =>
  e.side === 'credit' ? e.amount.fen : -e.amount.fen;

describe('the relief journey on the demo region: donations distributed, paid out, stated, reconciled', () => {
  let platform: Platform;
  let ledger: Client;
  const logs: string[] = [];
  const as = (who: Account | 'second'): Promise<Record<string, string>> =>
    signIn(platform, who === 'second' ? SECOND_OFFICER : who);
  const balances = async () => {
    const tb = (
      await request(platform.http)
        .get('/api/v1/ledger/trial-balance')
        .set(await as('auditor'))
        .expect(200)
    ).body as TrialBalanceJson;
    expect(tb.balanced).toBe(true);
    return new Map(tb.accounts.map((a) => [a.code, a.balanceFen]));
  };
  const benefit = (id: string) => `household:${id}:benefit`;
  /** The households the demo's 2020 sales credited. */
  let earning: string[] = [];

  beforeAll(async () => {
    // Every service's lines, at the most talkative level, to scan for account numbers.
    setLogDestination(
      new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    );
    platform = await startPlatform(
      'relief_journey_e2e',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, logLevel: 'trace', demoSales: true },
    );
    ledger = new Client({ connectionString: platform.ledgerDatabaseUrl });
    await ledger.connect();
    // The ledger posts the demo's sales at boot: wait until orders' outbox has handed it every one.
    expect(await undeliveredOrderEvents(platform.ordersDatabaseUrl, 420_000)).toBe(0);
    const income = await request(platform.http)
      .get('/api/v1/ledger/household-income')
      .query({ asOf: '2021-01-01T00:00:00+08:00', windowMonths: 12 })
      .set(await as('officer'))
      .expect(200);
    earning = (income.body.households as { householdId: string; recentFen: number }[])
      .filter((h) => h.recentFen > 0)
      .map((h) => h.householdId);
    expect(earning.length).toBeGreaterThanOrEqual(3);
  }, 600_000);

  afterAll(async () => {
    await ledger?.end();
    await platform?.stop();
    setLogDestination(undefined);
  }, 120_000);

  let run: RunJson;
  let batch: BatchJson;
  let failed: LineJson;
  let paidHousehold: string;
  const startedAt = new Date();

  it("distributes the seeded orders' donations by a run one officer proposes and another approves", async () => {
    // The fund holds exactly the donations of the seeded orders that were paid (no licensing here).
    const fund = (await balances()).get('fund:relief') ?? 0;
    const { rows } = await ledger.query<{ fen: string; other: string }>(
      `select coalesce(sum(case when p.role = 'donation' then p.fen end), 0) as fen,
              count(*) filter (where p.role <> 'donation') as other
         from posting p join account a on a.id = p.account_id where a.code = 'fund:relief'`,
    );
    expect(Number(rows[0]!.other)).toBe(0);
    expect(Number(rows[0]!.fen)).toBe(fund);
    expect(fund).toBeGreaterThan(0);

    const officer = await as('officer');
    const proposed = await request(platform.http)
      .post('/api/v1/ledger/distribution-runs')
      .set(officer)
      .send({ policy: 'equal', allAvailable: true, memo: '2020年捐赠分配' })
      .expect(201);
    run = proposed.body as RunJson;
    expect(run).toMatchObject({ state: 'proposed', policy: 'equal', totalFen: fund });
    expect(run.recipients).toBe(run.shares.length);
    // Equal shares by largest remainder: all remainders alike, so the spare fen go to the first
    // households in id order, one each.
    const n = run.shares.length;
    const base = Math.floor(fund / n);
    const ids = run.shares.map((s) => s.householdId);
    expect(ids).toEqual([...ids].sort());
    expect(run.shares.map((s) => s.amountFen)).toEqual(ids.map((_, i) => (i < fund % n ? base + 1 : base)));
    expect(run.shares.reduce((s, x) => s + x.amountFen, 0)).toBe(fund);

    const fourEyes = await request(platform.http)
      .post(`/api/v1/ledger/distribution-runs/${run.id}/approve`)
      .set(officer)
      .expect(403);
    expect(fourEyes.body.error).toBe('FOUR_EYES_REQUIRED');
    expect(fourEyes.body.message).toMatch(/four-eyes rule/);
    const before = await balances();
    const approved = await request(platform.http)
      .post(`/api/v1/ledger/distribution-runs/${run.id}/approve`)
      .set(await as('second'))
      .expect(200);
    expect(approved.body).toMatchObject({ state: 'approved', totalFen: fund });
    expect(approved.body.decidedBy).not.toBe(approved.body.proposedBy);
    run = approved.body as RunJson;

    // One transaction: the fund debited by the total, each household credited its share.
    const after = await balances();
    expect(after.get('fund:relief')).toBe(0);
    for (const share of run.shares) {
      expect(
        (after.get(benefit(share.householdId)) ?? 0) - (before.get(benefit(share.householdId)) ?? 0),
      ).toBe(share.amountFen);
    }
    const posted = await ledger.query<{ code: string; side: string; fen: string }>(
      `select a.code, p.side, sum(p.fen) as fen from posting p join account a on a.id = p.account_id
        where p.transaction_id = $1 group by a.code, p.side order by a.code`,
      [run.transactionId],
    );
    expect(posted.rows.filter((r) => r.side === 'debit')).toEqual([
      { code: 'fund:relief', side: 'debit', fen: String(fund) },
    ]);
    const credits = new Map(
      posted.rows.filter((r) => r.side === 'credit').map((r) => [r.code, Number(r.fen)]),
    );
    expect(credits).toEqual(new Map(run.shares.map((s) => [benefit(s.householdId), s.amountFen])));
  }, 120_000);

  it('pays the households and a producer in a batch: file in the bank layout, sent, one line failed back', async () => {
    const officer = await as('officer');
    const payees = earning.slice(0, 3);
    for (const [i, householdId] of payees.entries()) {
      await request(platform.http)
        .put(`/api/v1/households/${householdId}/payout-account`)
        .set(officer)
        .send({ payeeName: `户主${i}`, accountNumber: HOUSEHOLD_ACCOUNTS[i], bankName: '济源农商银行' })
        .expect(200);
    }
    const yangguang = demoId('producer', 'yangguang');
    await request(platform.http)
      .put(`/api/v1/producers/${yangguang}/payout-account`)
      .set(officer)
      .send({
        payeeName: '济源市阳光兔业',
        accountNumber: PRODUCER_ACCOUNT,
        bankName: '中国建设银行济源分行',
      })
      .expect(200);
    const before = await balances();
    const owed = new Map<string, number>([
      ...payees.map((h) => [h, before.get(benefit(h)) ?? 0] as const),
      [yangguang, before.get(`producer:${yangguang}:payable`) ?? 0],
    ]);
    for (const fen of owed.values()) {
      expect(fen).toBeGreaterThan(0);
    }

    batch = (
      await request(platform.http)
        .post('/api/v1/ledger/payout-batches')
        .set(officer)
        .send({ minimumFen: 1, memo: '2020年收益及捐赠分配代发' })
        .expect(201)
    ).body as BatchJson;
    const reserved = batch.lines.filter((l) => l.status === 'reserved');
    expect(new Map(reserved.map((l) => [l.payeeId, l.amountFen]))).toEqual(owed);
    expect(batch.totalFen).toBe([...owed.values()].reduce((s, f) => s + f, 0));

    const file = await request(platform.http)
      .get(`/api/v1/ledger/payout-batches/${batch.id}/file`)
      .set(officer)
      .buffer(true)
      .parse(asText)
      .expect(200);
    expect(file.headers['content-type']).toContain('text/csv');
    const text = file.body as string;
    expect(text.split('\n')[0]).toBe('payee_name,bank_account,bank_name,amount,reference');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.reference)).toEqual(reserved.map((l) => l.reference));
    for (const line of reserved) {
      const row = rows.find((r) => r.reference === line.reference)!;
      const i = payees.indexOf(line.payeeId);
      expect(row).toEqual(
        line.payeeKind === 'household'
          ? {
              payee_name: `户主${i}`,
              bank_account: HOUSEHOLD_ACCOUNTS[i],
              bank_name: '济源农商银行',
              amount: (line.amountFen / 100).toFixed(2),
              reference: line.reference,
            }
          : {
              payee_name: '济源市阳光兔业',
              bank_account: PRODUCER_DIGITS,
              bank_name: '中国建设银行济源分行',
              amount: (line.amountFen / 100).toFixed(2),
              reference: line.reference,
            },
      );
    }

    const sent = await request(platform.http)
      .post(`/api/v1/ledger/payout-batches/${batch.id}/sent`)
      .set(officer)
      .expect(200);
    expect(sent.body.state).toBe('sent');
    expect((await balances()).get('payouts:in_transit')).toBe(batch.totalFen);

    failed = reserved.find((l) => l.payeeKind === 'household' && l.payeeId === payees[1])!;
    paidHousehold = payees[0]!;
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
    const statuses = new Map((settled.body as BatchJson).lines.map((l) => [l.payeeId, l.status]));
    expect([...owed.keys()].map((id) => statuses.get(id))).toEqual(['paid', 'failed', 'paid', 'paid']);
    const after = await balances();
    expect(after.get(benefit(payees[1]!))).toBe(failed.amountFen);
    expect(after.get(benefit(payees[0]!))).toBe(0);
    expect(after.get(benefit(payees[2]!))).toBe(0);
    expect(after.get(`producer:${yangguang}:payable`)).toBe(0);
    expect(after.get('payouts:in_transit')).toBe(0);
    expect(after.get(`payouts:pending:${batch.id}`)).toBe(0);
    expect((after.get('payouts:paid') ?? 0) - (before.get('payouts:paid') ?? 0)).toBe(
      batch.totalFen - failed.amountFen,
    );
  }, 120_000);

  it("states a paid household's sale credits, distribution credit and payout with a running balance", async () => {
    const res = await request(platform.http)
      .get(`/api/v1/households/${paidHousehold}/statement`)
      .query({ limit: 500 })
      .set(await as('officer'))
      .expect(200);
    const statement = res.body as StatementJson;
    expect(statement.nextCursor).toBeNull();
    const sales = statement.entries.filter((e) => e.kind === 'sale');
    const distribution = statement.entries.filter((e) => e.kind === 'distribution');
    const payouts = statement.entries.filter((e) => e.kind === 'payout');
    expect(sales.length).toBeGreaterThan(0);
    expect(sales.every((e) => e.side === 'credit' && e.source !== null)).toBe(true);
    const share = run.shares.find((s) => s.householdId === paidHousehold)!;
    expect(distribution.map((e) => [e.side, e.amount.fen, e.transactionId])).toEqual([
      ['credit', share.amountFen, run.transactionId],
    ]);
    // The distribution credit names its run and policy, in JSON and in CSV; no other entry does.
    expect(distribution[0]!.distributionRun).toEqual({ id: run.id, policy: 'equal' });
    expect(
      statement.entries.filter((e) => e !== distribution[0]).every((e) => e.distributionRun === null),
    ).toBe(true);
    const csv = await request(platform.http)
      .get(`/api/v1/households/${paidHousehold}/statement`)
      .query({ format: 'csv' })
      .set(await as('auditor'))
      .expect(200);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r.distribution_run_id !== '')).toEqual([
      expect.objectContaining({
        kind: 'distribution',
        amount_fen: String(share.amountFen),
        transaction_id: run.transactionId,
        distribution_run_id: run.id,
        distribution_policy: 'equal',
      }),
    ]);
    const line = batch.lines.find((l) => l.payeeId === paidHousehold)!;
    expect(payouts.map((e) => [e.side, e.amount.fen, e.memo])).toEqual([
      ['debit', line.amountFen, expect.stringContaining(`payout batch ${batch.id}`)],
    ]);
    // Opening 0; each entry's balance the one before plus it; closing 0 once paid out.
    expect(statement.openingBalance!.fen).toBe(0);
    let running = 0;
    for (const e of statement.entries) {
      running += signedFen(e);
      expect(e.balance!.fen).toBe(running);
    }
    expect(statement.closingBalance!.fen).toBe(0);
    expect(running).toBe(0);
    expect(statement.credits.fen - statement.debits.fen).toBe(0);
    // The payout took the whole balance the sales and the distribution had left.
    const at = statement.entries.indexOf(payouts[0]!);
    expect(statement.entries[at - 1]!.balance!.fen).toBe(line.amountFen);
    expect(statement.entries.indexOf(distribution[0]!)).toBeLessThan(at);
  });

  it('reconciles the demo year and the period of the distribution and payout to nothing', async () => {
    const auditor = await as('auditor');
    const periods = [
      { from: '2020-01-01T00:00:00+08:00', to: '2021-01-01T00:00:00+08:00' },
      {
        from: new Date(startedAt.getTime() - 86_400_000).toISOString(),
        to: new Date(Date.now() + 86_400_000).toISOString(),
      },
    ];
    for (const period of periods) {
      const res = await request(platform.http)
        .get('/api/v1/ledger/reconciliation')
        .query(period)
        .set(auditor)
        .expect(200);
      expect(res.body).toMatchObject({ items: [], unexplainedFen: 0 });
    }
  });

  it('lists the seeded monitoring cases', async () => {
    const officer = await as('officer');
    const refreshed = (
      await request(platform.http).post('/api/v1/monitoring/refresh').set(officer).send({}).expect(200)
    ).body as RefreshJson;
    expect(refreshed.flagged).toBeGreaterThan(0);
    expect(refreshed.flagged).toBeLessThan(refreshed.assessed);
    const cases: CaseJson[] = [];
    for (let page = 1; ; page++) {
      const res = await request(platform.http)
        .get('/api/v1/monitoring/cases')
        .query({ page, pageSize: 100 })
        .set(officer)
        .expect(200);
      cases.push(...(res.body.items as CaseJson[]));
      if (res.body.items.length < 100) {
        break;
      }
    }
    const current = cases.filter((c) => c.stillFlagged && c.status !== 'closed');
    expect(current).toHaveLength(refreshed.flagged);
    expect(current.every((c) => c.reasons.length > 0 && c.headName.includes('*'))).toBe(true);
  });

  it('wrote no account number to any log of the gateway, ledger, catalog or beneficiaries, nor the ledger database', async () => {
    // The lines were captured: each service wrote some (the scan below is not of nothing).
    const services = new Set(
      logs
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { service?: string }).service),
    );
    for (const service of ['gateway', 'ledger', 'catalog', 'beneficiaries']) {
      expect(services).toContain(service);
    }
    const text = logs.join('');
    expect(text).toContain(batch.id);
    for (const secret of SECRETS) {
      expect(text).not.toContain(secret);
    }
    const { rows: columns } = await ledger.query<{ table_name: string; column_name: string }>(
      `select c.table_name, c.column_name from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character', 'character varying', 'jsonb', 'json')`,
    );
    expect(columns.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const { rows } = await ledger.query<{ n: string }>(
        `select count(*) as n from "${table}" where "${column}"::text like any($1)`,
        [SECRETS.flatMap((s) => [`%${s}%`, `%${s.replace(/\s/g, '').slice(-8)}%`])],
      );
      if (Number(rows[0]!.n) > 0) {
        found.push(`${table}.${column}`);
      }
    }
    expect(found).toEqual([]);
  });
});
