import * as grpc from '@grpc/grpc-js';
import { expectRejection, GRPC_SERVICES, grpcTestClient } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import {
  AUDITOR,
  bootLedger,
  buyer,
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

const ts = (iso: string) => {
  const ms = Date.parse(iso);
  return { seconds: Math.floor(ms / 1_000), nanos: 0 };
};
const staffOf = (producerId: string) => ({
  userId: randomUUID(),
  role: 'producer_staff',
  producerIds: [producerId],
});

describe('household statements and income windows', () => {
  let region: TestRegion;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledgerService: BootedLedger;
  let householdId: string;
  /** The household's fen from each posting, as the trace shows them. */
  let firstSaleFen: number;
  let refundFen: number;
  let secondSaleFen: number;

  /** A sale of Yangguang's rabbit from the region's lot, paid at `paidAt`. */
  const rabbitSale = (quantity: number, paidAt: string) => {
    const sale = paidOrder({
      paidAt: new Date(paidAt),
      lines: [
        {
          productId: RABBIT,
          producerId: YANGGUANG,
          quantity,
          unitPriceFen: 4_850,
          householdShareBps: 800,
          lotId: '',
        },
      ],
    });
    sale.order.lines[0]!.allocations = [{ lotId: region.lot.id, lotCode: region.lot.lotCode, quantity }];
    return sale;
  };

  const householdFen = async (orderId: string) => {
    const trace = await ledgerService.client.call('traceOrder', { orderId }, OFFICER);
    return trace.lines[0]!.households.filter((h) => h.householdId === householdId).reduce(
      (s, h) => s + h.amount!.fen,
      0,
    );
  };

  beforeAll(async () => {
    region = await startTestRegion('ledger_statements');
    db = await ledgerDatabase('ledger_statements');
    ledgerService = await bootLedger(db.url, {
      catalog: region.catalogAddress,
      beneficiaries: region.beneficiariesAddress,
    });
    householdId = region.suppliers[0]!.householdId;
    // June: 4 units, one refunded two minutes later; November: 2 units.
    const june = rabbitSale(4, '2020-06-15T04:00:00Z');
    await ledgerService.consumer.call('consumeOrderEvent', { event: june.paid() }, 'service');
    firstSaleFen = await householdFen(june.order.id);
    await ledgerService.consumer.call(
      'consumeOrderEvent',
      { event: june.refund([{ index: 0, quantity: 1 }]) },
      'service',
    );
    refundFen = firstSaleFen - (await householdFen(june.order.id));
    const november = rabbitSale(2, '2020-11-15T04:00:00Z');
    await ledgerService.consumer.call('consumeOrderEvent', { event: november.paid() }, 'service');
    secondSaleFen = await householdFen(november.order.id);
  }, 90_000);

  afterAll(async () => {
    await ledgerService?.close();
    await db?.close();
    await region?.close();
  });

  it('states every posting with its source and a running balance exact to the fen across a partial refund', async () => {
    expect(refundFen).toBeGreaterThan(0);
    expect(refundFen).toBeLessThan(firstSaleFen);
    const whole = await ledgerService.client.call('getHouseholdStatement', { householdId }, AUDITOR);
    expect(whole.full).toBe(true);
    expect(whole.entries.map((e) => [e.kind, e.side, e.amountFen, e.balanceFen])).toEqual([
      ['sale', 'credit', firstSaleFen, firstSaleFen],
      ['refund', 'debit', refundFen, firstSaleFen - refundFen],
      ['sale', 'credit', secondSaleFen, firstSaleFen - refundFen + secondSaleFen],
    ]);
    expect(whole.entries[0]).toMatchObject({
      productId: RABBIT,
      producerId: YANGGUANG,
      lotId: region.lot.id,
      lotCode: region.lot.lotCode,
    });
    expect(whole.closingBalanceFen).toBe(firstSaleFen - refundFen + secondSaleFen);

    // From July: the June sale and its refund are the opening balance; one entry, in pages of one.
    const july = await ledgerService.client.call(
      'getHouseholdStatement',
      { householdId, from: ts('2020-07-01T00:00:00+08:00'), limit: 1 },
      OFFICER,
    );
    expect(july.openingBalanceFen).toBe(firstSaleFen - refundFen);
    expect(july.entries.map((e) => e.balanceFen)).toEqual([firstSaleFen - refundFen + secondSaleFen]);
    expect(july).toMatchObject({ creditFen: secondSaleFen, debitFen: 0, nextCursor: '' });

    const paged = await ledgerService.client.call(
      'getHouseholdStatement',
      { householdId, limit: 2 },
      OFFICER,
    );
    expect(paged.entries).toHaveLength(2);
    const rest = await ledgerService.client.call(
      'getHouseholdStatement',
      { householdId, limit: 2, cursor: paged.nextCursor },
      OFFICER,
    );
    expect(rest.entries.map((e) => e.balanceFen)).toEqual([whole.entries[2]!.balanceFen]);
    expect(rest.nextCursor).toBe('');
  });

  it("shows a producer's staff going around the gateway only their own producer's credits, never a balance", async () => {
    const own = await ledgerService.client.call('getHouseholdStatement', { householdId }, staffOf(YANGGUANG));
    expect(own.full).toBe(false);
    expect(own.entries.map((e) => [e.side, e.amountFen, e.balanceFen])).toEqual([
      ['credit', firstSaleFen, 0],
      ['credit', secondSaleFen, 0],
    ]);
    expect(own).toMatchObject({ openingBalanceFen: 0, closingBalanceFen: 0, debitFen: 0 });
    const other = await ledgerService.client.call('getHouseholdStatement', { householdId }, staffOf(RUIXING));
    expect(other.entries).toEqual([]);
    expect(other.creditFen).toBe(0);
    for (const caller of [buyer(), { ...buyer(), role: 'institution' }, staffOf('')]) {
      const refused = await expectRejection(
        ledgerService.client.call('getHouseholdStatement', { householdId }, { ...caller, producerIds: [] }),
      );
      expect(refused.code).toBe(grpc.status.NOT_FOUND);
    }
  });

  it('sums relief income per household in two windows, net of refunds, for the office and beneficiaries only', async () => {
    const request = { asOf: ts('2021-01-01T00:00:00+08:00'), windowMonths: 6 };
    const windows = await ledgerService.client.call('getHouseholdIncomeWindows', request, OFFICER);
    expect(windows.windowMonths).toBe(6);
    const mine = windows.households.find((h) => h.householdId === householdId)!;
    expect(mine).toEqual({ householdId, recentFen: secondSaleFen, priorFen: firstSaleFen - refundFen });
    // All ten suppliers shared in both sales.
    expect(windows.households).toHaveLength(region.suppliers.length);

    const asBeneficiaries = grpcTestClient(GRPC_SERVICES.ledger, ledgerService.address, {
      from: 'beneficiaries',
      audience: 'ledger',
    });
    const asOrders = grpcTestClient(GRPC_SERVICES.ledger, ledgerService.address, {
      from: 'orders',
      audience: 'ledger',
    });
    try {
      expect(
        (await asBeneficiaries.call('getHouseholdIncomeWindows', request, 'service')).households,
      ).toEqual(windows.households);
      const orders = await expectRejection(asOrders.call('getHouseholdIncomeWindows', request, 'service'));
      expect(orders.code).toBe(grpc.status.PERMISSION_DENIED);
    } finally {
      asBeneficiaries.close();
      asOrders.close();
    }
    for (const caller of [buyer(), staffOf(YANGGUANG)]) {
      const refused = await expectRejection(
        ledgerService.client.call('getHouseholdIncomeWindows', request, caller),
      );
      expect(refused.code).toBe(grpc.status.PERMISSION_DENIED);
    }
    const bad = await expectRejection(
      ledgerService.client.call('getHouseholdIncomeWindows', { windowMonths: 61 }, OFFICER),
    );
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
  it("answers a producer's balance as the trial balance has it, to its own staff and the office only", async () => {
    const trial = await ledgerService.client.call('getTrialBalance', {}, AUDITOR);
    const row = (code: string) => trial.accounts.find((r) => r.code === code);
    const payable = row(`producer:${YANGGUANG}:payable`)!;
    expect(Number(payable.balanceFen)).toBeGreaterThan(0);
    for (const caller of [staffOf(YANGGUANG), OFFICER, AUDITOR]) {
      const balance = await ledgerService.client.call(
        'getProducerBalance',
        { producerId: YANGGUANG },
        caller,
      );
      expect(balance).toMatchObject({
        producerId: YANGGUANG,
        currency: 'CNY',
        payableFen: Number(payable.balanceFen),
        payableCreditFen: Number(payable.creditFen),
        payableDebitFen: Number(payable.debitFen),
        unallocatedShareFen: Number(row(`household:unallocated:${YANGGUANG}`)?.balanceFen ?? 0),
        commitmentOwedFen: 0,
      });
      // The refund of June took from the payable what the sale gave it.
      expect(Number(payable.debitFen)).toBeGreaterThan(0);
      expect(balance.payableFen).toBe(balance.payableCreditFen - balance.payableDebitFen);
    }
    // A producer with no sales yet: every account zero, not an error.
    const quiet = await ledgerService.client.call(
      'getProducerBalance',
      { producerId: RUIXING },
      staffOf(RUIXING),
    );
    expect(quiet).toMatchObject({ payableFen: 0, unallocatedShareFen: 0, commitmentOwedFen: 0 });
    for (const caller of [staffOf(RUIXING), buyer(), { ...buyer(), role: 'institution' }]) {
      const refused = await expectRejection(
        ledgerService.client.call('getProducerBalance', { producerId: YANGGUANG }, caller),
      );
      expect([grpc.status.PERMISSION_DENIED, grpc.status.UNAUTHENTICATED]).toContain(refused.code);
    }
    const bad = await expectRejection(
      ledgerService.client.call('getProducerBalance', { producerId: 'yangguang' }, OFFICER),
    );
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});
