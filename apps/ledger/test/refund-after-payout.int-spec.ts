import { EntityManager } from '@mikro-orm/postgresql';
import { GRPC_SERVICES, grpcTestClient, type GrpcTestClient } from '@yugong/shared/testing';
import { ledger, type beneficiaries } from '@yugong/contracts';
import { ChainService } from '../src/chain/chain.service';
import { balanceSlotOf } from '../src/journal/journal.repository';
import { JournalService } from '../src/journal/journal.service';
import { payoutAccounts } from '../src/payouts/payout-plan.util';
import { accounts } from '../src/split/accounts.util';
import {
  balancesOf,
  bootLedger,
  ledgerDatabase,
  OFFICER,
  paidOrder,
  RABBIT,
  startTestRegion,
  YANGGUANG,
  type BootedLedger,
  type TestRegion,
} from './support/harness';

/** A refund of a sale whose household share left the ledger first (a payout batch, a test payout). */
describe('refund of a share already paid out', () => {
  let region: TestRegion;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledgerService: BootedLedger;
  let payouts: GrpcTestClient<ledger.PayoutsServiceClient>;
  let registerClient: GrpcTestClient<beneficiaries.BeneficiariesServiceClient>;
  const deliver = (event: unknown) =>
    ledgerService.consumer.call('consumeOrderEvent', { event } as never, 'service');

  beforeAll(async () => {
    region = await startTestRegion('ledger_clawback');
    db = await ledgerDatabase('ledger_clawback');
    ledgerService = await bootLedger(
      db.url,
      { catalog: region.catalogAddress, beneficiaries: region.beneficiariesAddress },
      { LOG_LEVEL: 'error' },
    );
    payouts = grpcTestClient(GRPC_SERVICES.payouts, ledgerService.address);
    registerClient = grpcTestClient(GRPC_SERVICES.beneficiaries, region.beneficiariesAddress);
  }, 90_000);

  afterAll(async () => {
    payouts?.close();
    registerClient?.close();
    await ledgerService?.close();
    await db?.close();
    await region?.close();
  });

  /** What each household account holds in `slot`, by household id. */
  async function heldIn(slot: number): Promise<Map<string, number>> {
    const { rows } = await db.sql.query<{ owner_id: string; balance_fen: string }>(
      `select a.owner_id, b.balance_fen from account_balance b join account a on a.id = b.account_id
        where a.owner_kind = 'household' and b.slot = $1`,
      [slot],
    );
    return new Map(rows.map((r) => [r.owner_id, Number(r.balance_fen)]));
  }

  /** What stands of the order's household parts (sale credits less refund debits), by household. */
  async function standing(orderId: string): Promise<Map<string, number>> {
    const { rows } = await db.sql.query<{ owner_id: string; fen: string }>(
      `select a.owner_id, sum(case when p.side = 'credit' then p.fen else -p.fen end) as fen
         from posting p join account a on a.id = p.account_id
         join sale_line l on l.line_id = p.line_id
        where l.order_id = $1 and a.owner_kind in ('household', 'household_recoverable')
        group by a.owner_id`,
      [orderId],
    );
    return new Map(rows.map((r) => [r.owner_id, Number(r.fen)]));
  }

  it('posts the refund once, taking what each household still holds and the rest to its receivable, to the fen', async () => {
    const sale = paidOrder({
      lines: [
        {
          productId: RABBIT,
          producerId: YANGGUANG,
          quantity: 10,
          unitPriceFen: 3_000,
          householdShareBps: 800,
          lotId: region.lot.id,
        },
      ],
      method: 'manual',
    });
    const slot = balanceSlotOf(sale.order.id);
    await deliver(sale.paid());
    await deliver(sale.refund([{ index: 0, quantity: 3 }]));
    const [paidOutA, paidOutB, drained] = region.suppliers.map((s) => s.householdId);
    const credited = await standing(sale.order.id);
    expect(credited.get(paidOutA!)).toBeGreaterThan(0);
    expect(credited.get(drained!)).toBeGreaterThan(1);

    // Two households are paid out in a batch: their whole balance, every slot, leaves the account.
    for (const [i, householdId] of [paidOutA!, paidOutB!].entries()) {
      await registerClient.call(
        'setPayoutAccount',
        {
          householdId,
          payeeName: `户主${i}`,
          accountNumber: `6228480000000000${i}`,
          bankName: '济源农商银行',
        },
        OFFICER,
      );
    }
    await payouts.call('createPayoutBatch', { minimumFen: 1, memo: 'before the refund' }, OFFICER);
    // A third loses part of its balance in the order's slot to a payout posted directly.
    const journal = ledgerService.app.get(JournalService);
    const em = ledgerService.app.get(EntityManager).fork();
    const part = Math.floor((await heldIn(slot)).get(drained!)! / 2) + 1;
    const household = accounts.household(drained!, null);
    await em.transactional((tx) =>
      journal.post(tx, {
        idempotencyKey: `test:drain:${drained}`,
        kind: 'payout',
        occurredAt: new Date(),
        orderId: null,
        sourceEventId: null,
        memo: 'test payout out of the order slot',
        postings: [
          { account: household, side: 'debit', fen: part, role: 'payout', slot },
          { account: payoutAccounts.paid(), side: 'credit', fen: part, role: 'payout', slot: 0 },
        ],
      }),
    );

    const held = await heldIn(slot);
    expect(held.get(paidOutA!) ?? 0).toBe(0);
    const due = await standing(sale.order.id);
    const shortfall = new Map(
      [...due].map(([householdId, fen]) => [householdId, Math.max(0, fen - (held.get(householdId) ?? 0))]),
    );
    expect(shortfall.get(paidOutA!)).toBe(due.get(paidOutA!));
    expect(shortfall.get(drained!)).toBeGreaterThan(0);
    expect(shortfall.get(drained!)).toBeLessThan(due.get(drained!)!);
    const before = await balancesOf(db.sql);

    // The rest of the order is refunded: the event is applied, once, however often it comes.
    const refund = sale.refund([{ index: 0, quantity: 7 }]);
    await deliver(refund);
    await deliver(refund);
    const applied = await db.sql.query(`select 1 from applied_event where event_id = $1`, [refund.eventId]);
    expect(applied.rowCount).toBe(1);
    const after = await balancesOf(db.sql);
    for (const [householdId, fen] of due) {
      const owed = after[`household:${householdId}:recoverable`] ?? 0;
      expect(owed).toBe(shortfall.get(householdId));
      // The account gave what it held of the share, never more.
      const benefit = `household:${householdId}:benefit`;
      expect((before[benefit] ?? 0) - (after[benefit] ?? 0)).toBe(fen - shortfall.get(householdId)!);
      expect(after[benefit] ?? 0).toBeGreaterThanOrEqual(0);
    }
    // Fully refunded: the line's household parts net to zero, receivables counted in, and its trace
    // names no household (a receivable counts for the household's part, not as another one).
    expect([...(await standing(sale.order.id)).values()].every((fen) => fen === 0)).toBe(true);
    const trace = await ledgerService.client.call('traceOrder', { orderId: sale.order.id }, OFFICER);
    expect(trace.lines[0]!.households).toEqual([]);
    expect(trace.lines[0]!.householdAmount?.fen ?? 0).toBe(0);
    expect(trace.lines[0]!.refundedQuantity).toBe(10);
    // Nor any income left: the refund took back every household's share, paid out or not.
    const income = await ledgerService.client.call(
      'getReliefIncome',
      { groupBy: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_HOUSEHOLD },
      OFFICER,
    );
    expect(income.rows.map((r) => r.householdAmount?.fen ?? 0)).toEqual(income.rows.map(() => 0));
    const windows = await ledgerService.client.call(
      'getHouseholdIncomeWindows',
      { asOf: { seconds: Date.parse('2020-12-31T00:00:00Z') / 1_000, nanos: 0 }, windowMonths: 12 },
      OFFICER,
    );
    expect(windows.households.length).toBeGreaterThan(0);
    expect(windows.households.filter((h) => h.recentFen !== 0 || h.priorFen !== 0)).toEqual([]);
    const refunds = await db.sql.query<{ fen: string }>(
      `select coalesce(sum(p.fen), 0) as fen from journal_transaction t join posting p on p.transaction_id = t.id
        where t.order_id = $1 and t.kind = 'refund' and p.role = 'clearing' and p.side = 'credit'`,
      [sale.order.id],
    );
    expect(Number(refunds.rows[0]!.fen)).toBe(30_000);

    // Every transaction balances; the trial balance nets to zero; the chain verifies.
    const unbalanced = await db.sql.query(
      `select transaction_id from posting group by transaction_id
       having sum(case when side = 'debit' then fen else -fen end) <> 0`,
    );
    expect(unbalanced.rowCount).toBe(0);
    const trial = await db.sql.query<{ debits: string; credits: string }>(
      `select sum(debit_fen) as debits, sum(credit_fen) as credits from account_totals`,
    );
    expect(trial.rows[0]!.debits).toBe(trial.rows[0]!.credits);
    const negative = await db.sql.query(
      `select 1 from account_balance where non_negative and balance_fen < 0`,
    );
    expect(negative.rowCount).toBe(0);
    const chain = ledgerService.app.get(ChainService);
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      if ((await chain.head()).unsealed === 0) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await chain.verify(0)).ok).toBe(true);
  });
  it('applies every refund racing a payout batch: no balance below zero, no fen lost, no deadlock', async () => {
    const sales = Array.from({ length: 6 }, () =>
      paidOrder({
        lines: [
          {
            productId: RABBIT,
            producerId: YANGGUANG,
            quantity: 4,
            unitPriceFen: 3_000,
            householdShareBps: 800,
            lotId: region.lot.id,
          },
        ],
        method: 'manual',
      }),
    );
    for (const sale of sales) {
      await deliver(sale.paid());
    }
    for (const [i, supplier] of region.suppliers.slice(3, 6).entries()) {
      await registerClient.call(
        'setPayoutAccount',
        {
          householdId: supplier.householdId,
          payeeName: `户主${i + 3}`,
          accountNumber: `6228480000000001${i}`,
          bankName: '济源农商银行',
        },
        OFFICER,
      );
    }
    const refunds = sales.map((sale) => sale.refund([{ index: 0, quantity: 4 }]));
    const outcomes = await Promise.allSettled([
      payouts.call('createPayoutBatch', { minimumFen: 1, memo: 'racing the refunds' }, OFFICER),
      ...refunds.map((refund) => deliver(refund)),
    ]);
    // Every refund is posted, whatever the batch did (it may find a balance a refund took first).
    expect(outcomes.slice(1).map((o) => o.status)).toEqual(refunds.map(() => 'fulfilled'));
    const applied = await db.sql.query(`select 1 from applied_event where event_id = any($1::uuid[])`, [
      refunds.map((r) => r.eventId),
    ]);
    expect(applied.rowCount).toBe(refunds.length);
    for (const sale of sales) {
      expect([...(await standing(sale.order.id)).values()].every((fen) => fen === 0)).toBe(true);
    }
    // What left each benefit account for a batch is exactly what its open lines reserve.
    const reserved = await db.sql.query<{ payee_id: string; lines: string; left: string }>(
      `select l.payee_id, sum(l.amount_fen) as lines,
              (select coalesce(sum(p.fen), 0) from posting p join account a on a.id = p.account_id
                 join journal_transaction t on t.id = p.transaction_id
                where a.code = 'household:' || l.payee_id || ':benefit' and p.side = 'debit'
                  and t.kind = 'payout' and t.idempotency_key not like 'test:%') as left
         from payout_line l where l.payee_kind = 'household' group by l.payee_id`,
    );
    for (const r of reserved.rows) {
      expect(Number(r.left)).toBe(Number(r.lines));
    }
    const negative = await db.sql.query(
      `select 1 from account_balance where non_negative and balance_fen < 0`,
    );
    expect(negative.rowCount).toBe(0);
    const trial = await db.sql.query<{ debits: string; credits: string }>(
      `select sum(debit_fen) as debits, sum(credit_fen) as credits from account_totals`,
    );
    expect(trial.rows[0]!.debits).toBe(trial.rows[0]!.credits);
  });
});
