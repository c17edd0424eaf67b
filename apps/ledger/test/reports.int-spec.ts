import * as grpc from '@grpc/grpc-js';
import { ledger } from '@yugong/contracts';
import { demoRegister } from '@yugong/shared/demo';
import { expectRejection, GRPC_SERVICES, grpcTestClient, type TestCaller } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import {
  ADMIN,
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

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** A resident identity number with a valid GB 11643 check character. */
const isNationalId = (id: string) =>
  '10X98765432'[[...id.slice(0, 17)].reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i]!, 0) % 11] === id[17];

const VILLAGE = demoRegister().villages[0]!.id;

const sum = (xs: { fen: number }[]) => xs.reduce((s, x) => s + x.fen, 0);

describe('traces and reports', () => {
  let region: TestRegion;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledgerService: BootedLedger;
  const owner = buyer();
  const sale = () =>
    paidOrder({
      buyerId: owner.userId,
      method: 'stripe',
      donationFen: 100,
      lines: [
        {
          productId: RABBIT,
          producerId: YANGGUANG,
          quantity: 4,
          unitPriceFen: 4_850,
          householdShareBps: 800,
          lotId: '',
        },
        {
          productId: randomUUID(),
          producerId: RUIXING,
          quantity: 2,
          unitPriceFen: 12_999,
          householdShareBps: 700,
        },
      ],
    });
  let order: ReturnType<typeof sale>;

  beforeAll(async () => {
    region = await startTestRegion('ledger_reports');
    db = await ledgerDatabase('ledger_reports');
    ledgerService = await bootLedger(db.url, {
      catalog: region.catalogAddress,
      beneficiaries: region.beneficiariesAddress,
    });
    // Ruixing's sales give 3 % to a village collective (from before the sale, open-ended).
    const register = grpcTestClient(GRPC_SERVICES.beneficiaries, region.beneficiariesAddress);
    const share = { producerId: RUIXING, villageId: VILLAGE, shareBps: 300, effectiveFrom: '2020-01-01' };
    await register.call('createVillageCollectiveShare', share, OFFICER);
    const overlap = await expectRejection(
      register.call('createVillageCollectiveShare', { ...share, effectiveFrom: '2020-03-01' }, OFFICER),
    );
    expect(overlap.code).toBe(grpc.status.ALREADY_EXISTS);
    const notOfficer = await expectRejection(register.call('createVillageCollectiveShare', share, AUDITOR));
    expect(notOfficer.code).toBe(grpc.status.PERMISSION_DENIED);
    register.close();
    order = sale();
    order.order.lines[0]!.allocations = [{ lotId: region.lot.id, lotCode: region.lot.lotCode, quantity: 4 }];
    await ledgerService.consumer.call('consumeOrderEvent', { event: order.paid() }, 'service');
  }, 90_000);

  afterAll(async () => {
    await ledgerService?.close();
    await db?.close();
    await region?.close();
  });

  const trace = (caller: TestCaller | null) =>
    ledgerService.client.call('traceOrder', { orderId: order.order.id }, caller);

  it('traces each line to the households and villages reached, exact to the fen, and a partial refund changes it', async () => {
    const full = await trace(OFFICER);
    expect(full.full).toBe(true);
    const [rabbit, other] = full.lines.sort((a, b) =>
      a.producerId === YANGGUANG ? -1 : b.producerId === YANGGUANG ? 1 : 0,
    );
    // 19,400 gross: 8 % = 1,552 to the ten suppliers; card fee 3.4 % = 660; the producer the rest.
    expect(rabbit!.householdBasis).toBe('lots');
    expect(rabbit!.households).toHaveLength(10);
    expect(sum(rabbit!.households.map((h) => h.amount!))).toBe(1_552);
    expect(rabbit!.processorFee!.fen).toBe(660);
    expect(rabbit!.producerAmount!.fen).toBe(19_400 - 1_552 - 660);
    expect(rabbit!.lots).toEqual([{ lotId: region.lot.id, lotCode: region.lot.lotCode, quantity: 4 }]);
    expect(sum(rabbit!.villages.map((v) => v.householdAmount!))).toBe(1_552);
    // No lot: Ruixing's agreement holders at the payment time share 7 % of 25,998 = 1,820.
    expect(other!.householdBasis).toBe('agreements');
    expect(sum(other!.households.map((h) => h.amount!))).toBe(1_820);
    // 3 % of 25,998 to the village collective; fee 3.4 %; largest remainder keeps the sum exact.
    expect(other!.villages.find((v) => v.villageId === VILLAGE)?.collectiveAmount?.fen).toBe(780);
    expect(other!.processorFee!.fen).toBe(884);
    expect(other!.producerAmount!.fen).toBe(25_998 - 1_820 - 780 - 884);
    expect(full.donation!.fen).toBe(100);
    expect(full.netPaid!.fen).toBe(order.total);

    await ledgerService.consumer.call(
      'consumeOrderEvent',
      { event: order.refund([{ index: 0, quantity: 1 }]) },
      'service',
    );
    const after = await trace(AUDITOR);
    const refunded = after.lines.find((l) => l.producerId === YANGGUANG)!;
    expect(refunded.refundedQuantity).toBe(1);
    expect(sum(refunded.households.map((h) => h.amount!))).toBe(1_552 - 388);
    expect(
      refunded.processorFee!.fen +
        refunded.producerAmount!.fen +
        sum(refunded.households.map((h) => h.amount!)),
    ).toBe(4_850 * 3);
    expect(after.netPaid!.fen).toBe(order.total - 4_850);
  });

  it('shows the buyer where the money went without any household, and nobody else anything', async () => {
    const own = await trace(owner);
    expect(own.full).toBe(false);
    for (const line of own.lines) {
      expect(line.households).toEqual([]);
      expect(line.villages.length).toBeGreaterThan(0);
    }
    for (const other of [
      buyer(),
      { userId: randomUUID(), role: 'producer_staff', producerIds: [YANGGUANG] },
    ]) {
      const refused = await expectRejection(trace(other));
      expect(refused.code).toBe(grpc.status.NOT_FOUND);
    }
    // Nobody signed in is asked to sign in first, before anything is looked up.
    expect((await expectRejection(trace(null))).code).toBe(grpc.status.UNAUTHENTICATED);
    const publicLot = await ledgerService.client.call('traceLot', { lotId: region.lot.id }, null);
    expect(publicLot.full).toBe(false);
    expect(publicLot.households).toBe(10);
    expect(publicLot.lines.flatMap((l) => l.households)).toEqual([]);
  });

  it('gives officers, auditors and admins the trial balance and relief income; refuses everyone else', async () => {
    for (const reader of [OFFICER, AUDITOR, ADMIN]) {
      const tb = await ledgerService.client.call('getTrialBalance', {}, reader);
      expect(tb.balanced).toBe(true);
      expect(tb.totalDebitFen).toBe(tb.totalCreditFen);
    }
    for (const [caller, code] of [
      [buyer(), grpc.status.PERMISSION_DENIED],
      [{ ...owner, role: 'producer_staff', producerIds: [YANGGUANG] }, grpc.status.PERMISSION_DENIED],
      [null, grpc.status.UNAUTHENTICATED],
    ] as const) {
      expect((await expectRejection(ledgerService.client.call('getTrialBalance', {}, caller))).code).toBe(
        code,
      );
      const income = ledgerService.client.call(
        'getReliefIncome',
        { groupBy: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_TOWN },
        caller,
      );
      expect((await expectRejection(income)).code).toBe(code);
    }
    const byVillage = await ledgerService.client.call(
      'getReliefIncome',
      { groupBy: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_VILLAGE },
      AUDITOR,
    );
    const byMonth = await ledgerService.client.call(
      'getReliefIncome',
      { groupBy: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_MONTH },
      AUDITOR,
    );
    expect(byMonth.rows.map((r) => r.key)).toEqual(['2020-06']);
    expect(byVillage.householdAmount!.fen).toBe(1_552 - 388 + 1_820);
    expect(byVillage.collectiveAmount!.fen).toBe(780);
    expect(byVillage.rows.find((r) => r.key === VILLAGE)?.collectiveAmount?.fen).toBe(780);
    expect(byMonth.householdAmount!.fen).toBe(byVillage.householdAmount!.fen);
    const bad = await expectRejection(
      ledgerService.client.call('getReliefIncome', { groupBy: 0 as never }, AUDITOR),
    );
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);

    const summary = await ledgerService.client.call('getPublicSummary', {}, null);
    for (const town of summary.towns) {
      expect(town.households).toBeGreaterThanOrEqual(5);
    }
    expect(summary.reliefFund!.fen).toBe(100);
  });

  it('holds no name, national ID or bank account in its database (every text column scanned)', async () => {
    const register = demoRegister();
    const secrets = register.households
      .flatMap((h) => [h.headName, h.nationalId, h.payoutAccount])
      .filter((s) => s.length >= 2);
    const { rows: columns } = await db.sql.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
        where table_schema = 'public' and data_type in ('text', 'character', 'character varying', 'jsonb', 'json')`,
    );
    expect(columns.length).toBeGreaterThan(10);
    const found: string[] = [];
    let values = 0;
    for (const { table_name: table, column_name: column } of columns) {
      const { rows } = await db.sql.query<{ v: string }>(
        `select "${column}"::text as v from "${table}" where "${column}" is not null`,
      );
      values += rows.length;
      for (const { v } of rows) {
        for (const id of v.match(/(?<![0-9a-f])\d{17}[\dX](?![0-9a-f])/g) ?? []) {
          if (isNationalId(id)) {
            found.push(`${table}.${column} holds a national ID`);
          }
        }
        for (const secret of secrets) {
          if (v.includes(secret)) {
            found.push(`${table}.${column} holds a register value`);
          }
        }
      }
    }
    expect(values).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });
});
