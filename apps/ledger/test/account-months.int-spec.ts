import { ledger } from '@yugong/contracts';
import { demoRegister } from '@yugong/shared/demo';
import { GRPC_SERVICES, grpcTestClient } from '@yugong/shared/testing';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import {
  AUDITOR,
  bootLedger,
  ledgerDatabase,
  OFFICER,
  paidOrder,
  RABBIT,
  RUIXING,
  startTestRegion,
  YANGGUANG,
  type BootedLedger,
  type TestRegion,
} from './support/harness';

const G = ledger.ReliefIncomeGrouping;
const GROUPINGS = [
  [G.RELIEF_INCOME_GROUPING_TOWN, 'a.town_id::text'],
  [G.RELIEF_INCOME_GROUPING_VILLAGE, 'a.village_id::text'],
  [G.RELIEF_INCOME_GROUPING_HOUSEHOLD, 'a.owner_id'],
  [G.RELIEF_INCOME_GROUPING_MONTH, `to_char(t.occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM')`],
] as const;
// Whole months, none, and ranges that cut months in the middle (China's time).
const RANGES: { from?: string; to?: string }[] = [
  {},
  { from: '2020-04-01T00:00:00+08:00', to: '2020-06-01T00:00:00+08:00' },
  { from: '2020-03-17T09:30:00+08:00', to: '2020-07-02T00:00:00+08:00' },
  { from: '2020-05-05T00:00:00+08:00', to: '2020-05-20T00:00:00+08:00' },
  { from: '2020-01-01T00:00:00+08:00', to: '2020-05-31T23:59:00+08:00' },
];
const ts = (iso: string) => ({ seconds: Math.floor(new Date(iso).getTime() / 1000), nanos: 0 });
// Held by the test's own session, the sequencer's lock keeps every sealing pass from sealing.
const SEAL_LOCK = 7_337_054;

describe('reports from the per-account-month summary', () => {
  let region: TestRegion;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledgerService: BootedLedger;

  beforeAll(async () => {
    region = await startTestRegion('ledger_months');
    db = await ledgerDatabase('ledger_months');
    ledgerService = await bootLedger(db.url, {
      catalog: region.catalogAddress,
      beneficiaries: region.beneficiariesAddress,
    });
    const register = grpcTestClient(GRPC_SERVICES.beneficiaries, region.beneficiariesAddress);
    const villageId = demoRegister().villages[0]!.id;
    await register.call(
      'createVillageCollectiveShare',
      { producerId: RUIXING, villageId, shareBps: 300, effectiveFrom: '2020-01-01' },
      OFFICER,
    );
    register.close();
  }, 90_000);

  afterAll(async () => {
    await ledgerService?.close();
    await db?.close();
    await region?.close();
  });

  /** Random sales over March to July 2020 (some a minute before a month ends), each maybe refunded in part. */
  const salesAndRefunds = async (seed: number, count: number) => {
    const plans = fc.sample(
      fc.record({
        month: fc.integer({ min: 3, max: 7 }),
        day: fc.integer({ min: 1, max: 28 }),
        monthEnd: fc.boolean(),
        rabbit: fc.integer({ min: 1, max: 6 }),
        other: fc.integer({ min: 0, max: 4 }),
        refundRabbit: fc.integer({ min: 0, max: 6 }),
        refundOther: fc.integer({ min: 0, max: 4 }),
      }),
      { numRuns: count, seed },
    );
    for (const plan of plans) {
      // 23:59 on the last day of the month in China is 15:59 UTC; the refund a minute later is next month's.
      const paidAt = plan.monthEnd
        ? new Date(Date.UTC(2020, plan.month, 0, 15, 59))
        : new Date(Date.UTC(2020, plan.month - 1, plan.day, 4));
      const lines = [
        {
          productId: RABBIT,
          producerId: YANGGUANG,
          quantity: plan.rabbit,
          unitPriceFen: 4_850,
          householdShareBps: 800,
          lotId: region.lot.id,
        },
      ];
      if (plan.other > 0) {
        lines.push({
          productId: randomUUID(),
          producerId: RUIXING,
          quantity: plan.other,
          unitPriceFen: 12_999,
          householdShareBps: 700,
          lotId: '',
        });
      }
      const order = paidOrder({ lines, method: plan.monthEnd ? 'stripe' : 'manual', paidAt });
      await ledgerService.consumer.call('consumeOrderEvent', { event: order.paid() }, 'service');
      const refunds = [
        { index: 0, quantity: Math.min(plan.refundRabbit, plan.rabbit) },
        ...(plan.other > 0 ? [{ index: 1, quantity: Math.min(plan.refundOther, plan.other) }] : []),
      ].filter((r) => r.quantity > 0);
      if (refunds.length > 0) {
        await ledgerService.consumer.call('consumeOrderEvent', { event: order.refund(refunds) }, 'service');
      }
    }
  };

  /** Every grouping and range: the ledger's report equals the bare GROUP BY over the postings. */
  const expectReportsExact = async () => {
    for (const [groupBy, key] of GROUPINGS) {
      for (const range of RANGES) {
        const kinds =
          groupBy === G.RELIEF_INCOME_GROUPING_HOUSEHOLD
            ? `('household', 'household_recoverable')`
            : `('household', 'household_recoverable', 'village_collective', 'village_recoverable')`;
        const { rows: bare } = await db.sql.query(
          `select coalesce(${key}, '') as key,
                  count(distinct case when a.owner_kind = 'household' then a.owner_id end)::int as households,
                  coalesce(sum(case when a.owner_kind in ('household', 'household_recoverable') then
                    case when p.side = 'credit' then p.fen else -p.fen end end), 0)::int as household,
                  coalesce(sum(case when a.owner_kind in ('village_collective', 'village_recoverable') then
                    case when p.side = 'credit' then p.fen else -p.fen end end), 0)::int as collective
             from posting p join account a on a.id = p.account_id join journal_transaction t on t.id = p.transaction_id
            where a.owner_kind in ${kinds} and t.kind <> 'payout'
              and ($1::timestamptz is null or t.occurred_at >= $1) and ($2::timestamptz is null or t.occurred_at < $2)
            group by 1 order by 1`,
          [range.from ?? null, range.to ?? null],
        );
        const report = await ledgerService.client.call(
          'getReliefIncome',
          { groupBy, ...(range.from ? { from: ts(range.from), to: ts(range.to!) } : {}) },
          AUDITOR,
        );
        expect({
          groupBy,
          range,
          rows: report.rows.map((r) => ({
            key: r.key,
            households: r.households,
            household: r.householdAmount!.fen,
            collective: r.collectiveAmount!.fen,
          })),
        }).toEqual({ groupBy, range, rows: bare });
      }
    }
  };

  const unsealed = async () => (await ledgerService.client.call('getChainHead', {}, AUDITOR)).unsealed;
  const untilSealed = async () => {
    for (let i = 0; i < 100 && (await unsealed()) > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await unsealed()).toBe(0);
  };
  /** The summary as stored, and as the sealed postings say it should be. */
  const summaries = async () => {
    const stored = await db.sql.query(
      `select account_id::text, month::text, kind, debit_fen::text, credit_fen::text, postings::int
         from account_month order by 1, 2, 3`,
    );
    const expected = await db.sql.query(
      `select p.account_id::text, p.month::text, t.kind, sum(case when p.side = 'debit' then p.fen else 0 end)::text as debit_fen,
              sum(case when p.side = 'credit' then p.fen else 0 end)::text as credit_fen, count(*)::int as postings
         from chain_link c join journal_transaction t on t.id = c.transaction_id
         join posting p on p.transaction_id = t.id group by 1, 2, 3 order by 1, 2, 3`,
    );
    return { stored: stored.rows, expected: expected.rows };
  };

  it('answers exactly what the postings say, sealed or not yet, over whole and partial months', async () => {
    await salesAndRefunds(1, 24);
    await untilSealed();
    const sealed = await summaries();
    expect(sealed.stored.length).toBeGreaterThan(10);
    expect(sealed.stored).toEqual(sealed.expected);
    await expectReportsExact();

    // The sequencer held off: new sales and refunds are only in the tail the reports add.
    await db.sql.query('select pg_advisory_lock($1)', [SEAL_LOCK]);
    try {
      await salesAndRefunds(2, 12);
      expect(await unsealed()).toBeGreaterThan(0);
      expect((await summaries()).stored).toEqual(sealed.stored);
      await expectReportsExact();
    } finally {
      await db.sql.query('select pg_advisory_unlock($1)', [SEAL_LOCK]);
    }

    await untilSealed();
    const after = await summaries();
    expect(after.stored).toEqual(after.expected);
    expect(after.stored).not.toEqual(sealed.stored);
    await expectReportsExact();
  }, 120_000);
});
