import * as grpc from '@grpc/grpc-js';
import { ledger } from '@yugong/contracts';
import { expectRejection } from '@yugong/shared/testing';
import {
  AUDITOR,
  bootLedger,
  ledgerDatabase,
  OFFICER,
  paidOrder,
  RABBIT,
  startTestRegion,
  YANGGUANG,
  type TestRegion,
} from './support/harness';

/**
 * `LEDGER_READ_DATABASE_URL` names where traces and reports read. Here it names a second ledger
 * database that holds other sales than the primary (a replica would hold the same, a moment
 * behind): what the ledger answers shows which one it read.
 */
describe('traces and reports from the read database', () => {
  let region: TestRegion;
  let primary: Awaited<ReturnType<typeof ledgerDatabase>>;
  let replica: Awaited<ReturnType<typeof ledgerDatabase>>;

  beforeAll(async () => {
    region = await startTestRegion('ledger_read');
    primary = await ledgerDatabase('ledger_read_primary');
    replica = await ledgerDatabase('ledger_read_replica');
  }, 90_000);

  afterAll(async () => {
    await primary?.close();
    await replica?.close();
    await region?.close();
  });

  const sale = (quantity: number) =>
    paidOrder({
      lines: [
        {
          productId: RABBIT,
          producerId: YANGGUANG,
          quantity,
          unitPriceFen: 4_850,
          householdShareBps: 800,
          lotId: region.lot.id,
        },
      ],
    });
  const services = () => ({ catalog: region.catalogAddress, beneficiaries: region.beneficiariesAddress });

  it('reads traces and reports where LEDGER_READ_DATABASE_URL says, and writes to the primary', async () => {
    // A sale only the read database holds, written by a ledger of its own.
    const onReplica = sale(2);
    const writer = await bootLedger(replica.url, services());
    await writer.consumer.call('consumeOrderEvent', { event: onReplica.paid() }, 'service');
    await writer.close();

    const ledgerService = await bootLedger(primary.url, services(), {
      LEDGER_READ_DATABASE_URL: replica.url,
    });
    try {
      const onPrimary = sale(5);
      await ledgerService.consumer.call('consumeOrderEvent', { event: onPrimary.paid() }, 'service');
      const posted = await primary.sql.query('select count(*)::int as n from sale_line where order_id = $1', [
        onPrimary.order.id,
      ]);
      expect(posted.rows[0].n).toBe(1);

      const traced = await ledgerService.client.call('traceOrder', { orderId: onReplica.order.id }, OFFICER);
      expect(traced.netPaid!.fen).toBe(onReplica.total);
      const missing = await expectRejection(
        ledgerService.client.call('traceOrder', { orderId: onPrimary.order.id }, OFFICER),
      );
      expect(missing.code).toBe(grpc.status.NOT_FOUND);

      const income = await ledgerService.client.call(
        'getReliefIncome',
        { groupBy: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_VILLAGE },
        AUDITOR,
      );
      // 8 % of 2 × 4,850: the replica's sale alone, not the primary's 5 units.
      expect(income.householdAmount!.fen).toBe(776);
      const balance = await ledgerService.client.call('getTrialBalance', {}, AUDITOR);
      expect(balance.totalDebitFen).toBe(onReplica.total);
    } finally {
      await ledgerService.close();
    }

    // Without it, the same ledger reads its primary.
    const plain = await bootLedger(primary.url, services());
    try {
      const traced = await plain.client.call(
        'traceOrder',
        { orderId: (await lastSaleOn(primary)).orderId },
        OFFICER,
      );
      expect(traced.lines[0]!.quantity).toBe(5);
      const missing = await expectRejection(
        plain.client.call('traceOrder', { orderId: onReplica.order.id }, OFFICER),
      );
      expect(missing.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      await plain.close();
    }
  }, 120_000);
});

async function lastSaleOn(db: Awaited<ReturnType<typeof ledgerDatabase>>) {
  const { rows } = await db.sql.query('select order_id::text as "orderId" from sale_line limit 1');
  return rows[0] as { orderId: string };
}
