import * as grpc from '@grpc/grpc-js';
import { demoRegister } from '@yugong/shared/demo';
import {
  errorDetails,
  expectRejection,
  GRPC_SERVICES,
  grpcTestClient,
  type GrpcTestClient,
} from '@yugong/shared/testing';
import type { ledger } from '@yugong/contracts';
import { randomUUID } from 'node:crypto';
import { ChainService } from '../src/chain/chain.service';
import {
  AUDITOR,
  balancesOf,
  bootLedger,
  buyer,
  ledgerDatabase,
  OFFICER,
  paidOrder,
  startTestRegion,
  type BootedLedger,
  type TestRegion,
} from './support/harness';

const OFFICER_2 = {
  userId: '00000000-0000-4000-8000-000000000009',
  role: 'relief_officer',
  producerIds: [] as string[],
};
const register = demoRegister();
const VILLAGE = register.villages[0]!.id;
const inVillage = register.households.filter((h) => h.villageId === VILLAGE);

describe('relief office: allocations, suspense and distribution runs', () => {
  let region: TestRegion;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledgerService: BootedLedger;
  let office: GrpcTestClient<ledger.ReliefOfficeServiceClient>;
  // A producer no agreement names: its household share waits, unallocated.
  const producerId = randomUUID();
  const sale = (donationFen: number) =>
    paidOrder({
      donationFen,
      lines: [
        { productId: randomUUID(), producerId, quantity: 3, unitPriceFen: 10_000, householdShareBps: 1_000 },
      ],
    });
  const deliver = (event: unknown) =>
    ledgerService.consumer.call('consumeOrderEvent', { event } as never, 'service');
  const count = async (kind: string) =>
    Number(
      (await db.sql.query(`select count(*) as n from journal_transaction where kind = $1`, [kind])).rows[0].n,
    );

  beforeAll(async () => {
    region = await startTestRegion('ledger_office');
    db = await ledgerDatabase('ledger_office');
    ledgerService = await bootLedger(db.url, {
      catalog: region.catalogAddress,
      beneficiaries: region.beneficiariesAddress,
    });
    office = grpcTestClient(GRPC_SERVICES.reliefOffice, ledgerService.address);
  }, 90_000);

  afterAll(async () => {
    office?.close();
    await ledgerService?.close();
    await db?.close();
    await region?.close();
  });

  it('allocates the unallocated share by weight, once per key, never more than it holds, and a refund takes it back', async () => {
    const first = sale(0);
    const second = sale(0);
    await deliver(first.paid());
    await deliver(second.paid());
    const code = `household:unallocated:${producerId}`;
    expect((await balancesOf(db.sql))[code]).toBe(6_000);
    const [a, b, c] = inVillage;
    const request = {
      producerId,
      households: [
        { householdId: a!.id, weight: 1 },
        { householdId: b!.id, weight: 2 },
        { householdId: c!.id, weight: 4 },
      ],
      amountFen: 4_001,
      idempotencyKey: `alloc-${randomUUID()}`,
      reason: 'suppliers confirmed by the village',
    };
    const res = await office.call('allocateUnallocatedShare', request, OFFICER);
    expect(res.replayed).toBe(false);
    // 4,001 × 1/7, 2/7, 4/7 = 571.57, 1,143.14, 2,286.29: the fen left goes to the largest remainder.
    expect(res.allocations.map((x) => x.amount!.fen)).toEqual([572, 1_143, 2_286]);
    let balances = await balancesOf(db.sql);
    expect(balances[code]).toBe(1_999);
    expect(balances[`household:${c!.id}:benefit`]).toBe(2_286);

    // The lines' traces now name the households: what each line's share reached, to the fen.
    const traced = await Promise.all(
      [first, second].map((o) => ledgerService.client.call('traceOrder', { orderId: o.order.id }, OFFICER)),
    );
    const lines = traced.map((t) => t.lines[0]!);
    for (const line of lines) {
      expect(line.householdAmount!.fen + line.unallocatedAmount!.fen).toBe(3_000);
      expect(line.households.reduce((s, h) => s + h.amount!.fen, 0)).toBe(line.householdAmount!.fen);
      expect(line.villages.reduce((s, v) => s + v.householdAmount!.fen, 0)).toBe(line.householdAmount!.fen);
    }
    expect(lines.reduce((s, l) => s + l.householdAmount!.fen, 0)).toBe(4_001);
    const reached = new Map<string, number>();
    for (const h of lines.flatMap((l) => l.households)) {
      reached.set(h.householdId, (reached.get(h.householdId) ?? 0) + h.amount!.fen);
    }
    expect(Object.fromEntries(reached)).toEqual({ [a!.id]: 572, [b!.id]: 1_143, [c!.id]: 2_286 });

    const again = await office.call('allocateUnallocatedShare', request, OFFICER);
    expect(again).toMatchObject({ replayed: true, transactionId: res.transactionId });
    expect(await count('allocation')).toBe(1);
    const reused = await expectRejection(
      office.call('allocateUnallocatedShare', { ...request, amountFen: 1 }, OFFICER),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(reused).code).toBe('IDEMPOTENCY_KEY_REUSED');

    // Ten officers at once asking 500 each of the 1,999 left: three get it, the rest are refused.
    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        office.call(
          'allocateUnallocatedShare',
          { ...request, amountFen: 500, idempotencyKey: `alloc-${randomUUID()}` },
          OFFICER,
        ),
      ),
    );
    expect(attempts.filter((x) => x.status === 'fulfilled')).toHaveLength(3);
    expect((await balancesOf(db.sql))[code]).toBe(499);
    const over = await expectRejection(
      office.call(
        'allocateUnallocatedShare',
        { ...request, amountFen: 500, idempotencyKey: 'over' },
        OFFICER,
      ),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(over)).toEqual({
      code: 'ALLOCATION_EXCEEDS_BALANCE',
      fields: [{ field: 'amountFen', reason: 'at most 499' }],
    });
    const unknown = await expectRejection(
      office.call(
        'allocateUnallocatedShare',
        { ...request, households: [{ householdId: randomUUID(), weight: 0 }], idempotencyKey: 'unknown' },
        OFFICER,
      ),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorDetails(unknown).fields).toEqual([
      { field: 'households.0.householdId', reason: 'no such household' },
    ]);
    await expectRejection(
      office.call('allocateUnallocatedShare', request, AUDITOR),
      grpc.status.PERMISSION_DENIED,
    );

    // Both orders refunded in full: every account they touched, the allocated households' too, at zero.
    await deliver(first.refund([{ index: 0, quantity: 3 }]));
    await deliver(second.refund([{ index: 0, quantity: 3 }]));
    balances = await balancesOf(db.sql);
    expect(balances[code]).toBe(0);
    for (const h of [a!, b!, c!]) {
      expect(balances[`household:${h.id}:benefit`]).toBe(0);
    }
  }, 60_000);

  it('settles a payment in suspense once: returned, or accepted as a donation', async () => {
    const order = sale(0);
    await deliver(order.receipt('order.payment_unmatched', 12_345));
    const other = sale(0);
    await deliver(other.receipt('order.payment_unmatched', 700));
    const items = (await office.call('listSuspense', {}, AUDITOR)).items;
    const item = items.find((i) => i.orderId === order.order.id)!;
    expect(item).toMatchObject({ state: 'open', amount: { fen: 12_345, currency: 'CNY' }, method: 'stripe' });
    const before = await balancesOf(db.sql);

    // Five officers return it at once: one settlement.
    const settle = {
      transactionId: item.transactionId,
      outcome: 'return',
      reason: 'buyer paid the wrong amount',
    };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => office.call('settleSuspense', settle, OFFICER)),
    );
    expect(new Set(answers.map((a) => a.item!.settlementTransactionId)).size).toBe(1);
    expect(answers[0]!.item).toMatchObject({ state: 'returned', settledBy: OFFICER.userId });
    const after = await balancesOf(db.sql);
    expect(after['suspense:unmatched_payments']).toBe(before['suspense:unmatched_payments']! - 12_345);
    expect(after['buyers:refunds_due']).toBe((before['buyers:refunds_due'] ?? 0) + 12_345);
    const twice = await expectRejection(
      office.call('settleSuspense', { ...settle, outcome: 'accept' }, OFFICER),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(twice).code).toBe('SUSPENSE_ALREADY_SETTLED');
    // The database refuses a second settlement whatever the code does.
    await expect(
      db.sql.query(
        `insert into suspense_settlement (suspense_transaction_id, outcome, reason, settled_by, transaction_id)
         select suspense_transaction_id, 'accepted', 'again', settled_by, transaction_id from suspense_settlement limit 1`,
      ),
    ).rejects.toThrow(/duplicate key/);

    const accepted = await office.call(
      'settleSuspense',
      {
        transactionId: items.find((i) => i.orderId === other.order.id)!.transactionId,
        outcome: 'accept',
        reason: 'payer donates it',
      },
      OFFICER,
    );
    expect(accepted.item!.state).toBe('accepted');
    expect((await balancesOf(db.sql))['fund:relief']).toBe((after['fund:relief'] ?? 0) + 700);
    await expectRejection(office.call('settleSuspense', settle, AUDITOR), grpc.status.PERMISSION_DENIED);
    await expectRejection(office.call('listSuspense', {}, buyer()), grpc.status.PERMISSION_DENIED);
  }, 60_000);

  it('distributes the relief fund under four eyes: the preview is what is posted, once', async () => {
    for (let i = 0; i < 4; i++) {
      await deliver(sale(25_000 + i).paid());
    }
    const fundBefore = (await balancesOf(db.sql))['fund:relief']!;
    const propose = {
      policy: 'per_member',
      townId: '',
      villageId: VILLAGE,
      status: '',
      totalFen: 9_999,
      allAvailable: false,
      statusWeights: {},
      memo: 'spring festival',
      idempotencyKey: `run-${randomUUID()}`,
    };
    const proposed = (await office.call('proposeDistributionRun', propose, OFFICER)).detail!;
    expect(proposed.run).toMatchObject({
      state: 'proposed',
      recipients: inVillage.length,
      proposedBy: OFFICER.userId,
    });
    expect(proposed.shares.reduce((s, x) => s + x.amount!.fen, 0)).toBe(9_999);
    const members = inVillage.reduce((s, h) => s + h.members, 0);
    for (const share of proposed.shares) {
      const h = inVillage.find((x) => x.id === share.householdId)!;
      expect(Math.abs(share.amount!.fen - (9_999 * h.members) / members)).toBeLessThan(1);
    }
    expect((await office.call('proposeDistributionRun', propose, OFFICER)).detail!.run!.id).toBe(
      proposed.run!.id,
    );

    const fourEyes = await expectRejection(
      office.call('approveDistributionRun', { id: proposed.run!.id }, OFFICER),
      grpc.status.PERMISSION_DENIED,
    );
    expect(errorDetails(fourEyes).code).toBe('FOUR_EYES_REQUIRED');
    expect(fourEyes.details).toMatch(/four-eyes rule/);
    await expectRejection(
      office.call('approveDistributionRun', { id: proposed.run!.id }, AUDITOR),
      grpc.status.PERMISSION_DENIED,
    );

    // The second officer approves eight times at once: one transaction.
    const approvals = await Promise.all(
      Array.from({ length: 8 }, () =>
        office.call('approveDistributionRun', { id: proposed.run!.id }, OFFICER_2),
      ),
    );
    expect(new Set(approvals.map((a) => a.detail!.run!.transactionId)).size).toBe(1);
    expect(approvals[0]!.detail!.run).toMatchObject({ state: 'approved', decidedBy: OFFICER_2.userId });
    expect(await count('distribution')).toBe(1);
    // The run's one transaction: the fund's rows debited by the total, each household credited its share.
    const { rows: posted } = await db.sql.query<{ side: string; owner_id: string | null; fen: string }>(
      `select p.side, a.owner_id, p.fen from posting p join account a on a.id = p.account_id
        where p.transaction_id = $1`,
      [approvals[0]!.detail!.run!.transactionId],
    );
    const sumOf = (side: string) =>
      posted.filter((p) => p.side === side).reduce((s, p) => s + Number(p.fen), 0);
    expect([sumOf('debit'), sumOf('credit')]).toEqual([9_999, 9_999]);
    expect(
      Object.fromEntries(posted.filter((p) => p.side === 'credit').map((p) => [p.owner_id, Number(p.fen)])),
    ).toEqual(
      Object.fromEntries(
        proposed.shares.filter((x) => x.amount!.fen > 0).map((x) => [x.householdId, x.amount!.fen]),
      ),
    );
    const balances = await balancesOf(db.sql);
    expect(balances['fund:relief']).toBe(fundBefore - 9_999);
    for (const share of proposed.shares) {
      expect(balances[`household:${share.householdId}:benefit`] ?? 0).toBeGreaterThanOrEqual(
        share.amount!.fen,
      );
    }
    // A household's statement names the run that paid it, and the run's policy; nothing else does.
    const paid = proposed.shares.find((x) => x.amount!.fen > 0)!;
    const statement = await ledgerService.client.call(
      'getHouseholdStatement',
      { householdId: paid.householdId },
      AUDITOR,
    );
    expect(
      statement.entries
        .filter((e) => e.kind === 'distribution')
        .map((e) => [e.distributionRunId, e.distributionPolicy, e.side, e.amountFen, e.transactionId]),
    ).toEqual([
      [proposed.run!.id, 'per_member', 'credit', paid.amount!.fen, approvals[0]!.detail!.run!.transactionId],
    ]);
    expect(
      statement.entries.filter((e) => e.kind !== 'distribution').every((e) => e.distributionRunId === ''),
    ).toBe(true);
    const late = await expectRejection(
      office.call('rejectDistributionRun', { id: proposed.run!.id, reason: 'too late' }, OFFICER_2),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(late).code).toBe('RUN_NOT_PROPOSED');
    // The database holds the four-eyes rule and the decision too.
    await expect(
      db.sql.query(`update distribution_run set state = 'cancelled' where id = $1`, [proposed.run!.id]),
    ).rejects.toThrow(/no longer changes/);

    // All available, by status: more than the fund holds is refused; cancelled and rejected runs post nothing.
    const all = (
      await office.call(
        'proposeDistributionRun',
        { ...propose, policy: 'by_status', totalFen: 0, allAvailable: true, idempotencyKey: '' },
        OFFICER,
      )
    ).detail!;
    expect(all.run!.total!.fen).toBe(fundBefore - 9_999);
    const cancelled = await office.call(
      'cancelDistributionRun',
      { id: all.run!.id, reason: 'wrong village' },
      OFFICER,
    );
    expect(cancelled.detail!.run!.state).toBe('cancelled');
    const tooMuch = await expectRejection(
      office.call(
        'proposeDistributionRun',
        { ...propose, totalFen: fundBefore, idempotencyKey: '' },
        OFFICER,
      ),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(tooMuch).code).toBe('FUND_INSUFFICIENT');
    const other = (
      await office.call('proposeDistributionRun', { ...propose, totalFen: 100, idempotencyKey: '' }, OFFICER)
    ).detail!;
    await expectRejection(
      office.call('cancelDistributionRun', { id: other.run!.id, reason: 'x' }, OFFICER_2),
      grpc.status.PERMISSION_DENIED,
    );
    await expectRejection(
      office.call('rejectDistributionRun', { id: other.run!.id, reason: 'x' }, OFFICER),
      grpc.status.PERMISSION_DENIED,
    );
    expect(
      (await office.call('rejectDistributionRun', { id: other.run!.id, reason: 'not now' }, OFFICER_2))
        .detail!.run!.state,
    ).toBe('rejected');
    expect(await count('distribution')).toBe(1);

    const listed = (await office.call('listDistributionRuns', { state: '' }, AUDITOR)).runs;
    expect(listed.map((r) => r.state).sort()).toEqual(['approved', 'cancelled', 'rejected']);
    await expectRejection(
      office.call('listDistributionRuns', { state: '' }, buyer()),
      grpc.status.PERMISSION_DENIED,
    );
    const bad = await expectRejection(
      office.call('proposeDistributionRun', { ...propose, policy: 'lottery' }, OFFICER),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorDetails(bad).fields[0]!.field).toBe('policy');
  }, 90_000);

  it('seals allocations, settlements and runs into the hash chain, which verifies', async () => {
    const chain = ledgerService.app.get(ChainService);
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      if ((await chain.head()).unsealed === 0) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const report = await chain.verify(0);
    expect(report.ok).toBe(true);
    expect(report.checked).toBeGreaterThanOrEqual(await count('distribution'));
  });
});
