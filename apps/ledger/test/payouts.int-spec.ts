import * as grpc from '@grpc/grpc-js';
import { ledger, type beneficiaries, type catalog } from '@yugong/contracts';
import { demoRegister } from '@yugong/shared/demo';
import {
  errorDetails,
  expectRejection,
  GRPC_SERVICES,
  grpcTestClient,
  type GrpcTestClient,
} from '@yugong/shared/testing';
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
  RUIXING,
  type BootedLedger,
  type TestRegion,
} from './support/harness';

const register = demoRegister();
const VILLAGE = register.villages[0]!.id;
const inVillage = register.households.filter((h) => h.villageId === VILLAGE);
/** Account numbers set in this test: none may reach the ledger's database. */
const accountNumberOf = (i: number) => `62284800${String(1_000_000 + i).padStart(11, '0')}`;
/** The producer's account number: it may leave catalog only in the bank file. */
const PRODUCER_ACCOUNT = '41050166880800000123';

describe('payout batches', () => {
  let region: TestRegion;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledgerService: BootedLedger;
  let office: GrpcTestClient<ledger.ReliefOfficeServiceClient>;
  let payouts: GrpcTestClient<ledger.PayoutsServiceClient>;
  let registerClient: GrpcTestClient<beneficiaries.BeneficiariesServiceClient>;
  let catalogClient: GrpcTestClient<catalog.CatalogServiceClient>;
  const producerId = randomUUID();
  const deliver = (event: unknown) =>
    ledgerService.consumer.call('consumeOrderEvent', { event } as never, 'service');
  const balance = async (householdId: string) =>
    (await balancesOf(db.sql))[`household:${householdId}:benefit`] ?? 0;

  /** Credits each household `fen` through a sale of the unallocated producer and an allocation. */
  async function credit(householdIds: string[], fen: number): Promise<void> {
    const total = fen * householdIds.length;
    // 10 % of 10,000 fen a unit is the household share: enough units to cover the total.
    const order = paidOrder({
      donationFen: 0,
      lines: [
        {
          productId: randomUUID(),
          producerId,
          quantity: Math.ceil(total / 1_000),
          unitPriceFen: 10_000,
          householdShareBps: 1_000,
        },
      ],
    });
    await deliver(order.paid());
    await office.call(
      'allocateUnallocatedShare',
      {
        producerId,
        households: householdIds.map((householdId) => ({ householdId, weight: 1 })),
        amountFen: total,
        idempotencyKey: `credit-${randomUUID()}`,
        reason: 'test credit',
      },
      OFFICER,
    );
  }

  async function setAccount(i: number): Promise<void> {
    await registerClient.call(
      'setPayoutAccount',
      {
        householdId: inVillage[i]!.id,
        payeeName: `户主${i}`,
        accountNumber: accountNumberOf(i),
        bankName: '济源农商银行',
      },
      OFFICER,
    );
  }

  beforeAll(async () => {
    region = await startTestRegion('ledger_payouts');
    db = await ledgerDatabase('ledger_payouts');
    ledgerService = await bootLedger(
      db.url,
      {
        catalog: region.catalogAddress,
        beneficiaries: region.beneficiariesAddress,
      },
      { LOG_LEVEL: 'error' },
    );
    office = grpcTestClient(GRPC_SERVICES.reliefOffice, ledgerService.address);
    payouts = grpcTestClient(GRPC_SERVICES.payouts, ledgerService.address);
    registerClient = grpcTestClient(GRPC_SERVICES.beneficiaries, region.beneficiariesAddress);
    catalogClient = grpcTestClient(GRPC_SERVICES.catalog, region.catalogAddress);
  }, 90_000);

  afterAll(async () => {
    office?.close();
    payouts?.close();
    registerClient?.close();
    catalogClient?.close();
    await ledgerService?.close();
    await db?.close();
    await region?.close();
  });

  it('puts back exactly the lines the bank returned as failed, skips households without an account, and settles once', async () => {
    const [a, b, c, d] = inVillage.map((h) => h.id);
    for (const i of [0, 1, 2]) {
      await setAccount(i);
    }
    await credit([a!, b!, c!, d!], 3_000);
    const income = async () => ({
      byHousehold: (
        await ledgerService.client.call(
          'getReliefIncome',
          { groupBy: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_HOUSEHOLD },
          OFFICER,
        )
      ).rows,
      windows: (
        await ledgerService.client.call(
          'getHouseholdIncomeWindows',
          { asOf: undefined, windowMonths: 12 },
          OFFICER,
        )
      ).households,
    });
    const incomeBefore = await income();
    const created = (await payouts.call('createPayoutBatch', { minimumFen: 1_000, memo: '2020-06' }, OFFICER))
      .detail!;
    const { batch } = created;
    // The sales' producer is owed its part too, but catalog has no payout account for it: skipped.
    expect(batch).toMatchObject({ state: 'draft', totalFen: 9_000, lineCount: 3, skippedCount: 2 });
    expect(created.lines.find((l) => l.householdId === d)).toMatchObject({
      payeeKind: 'household',
      payeeId: d,
      status: 'skipped',
      amountFen: 0,
      reference: '',
      skipReason: 'no payout account',
    });
    expect(created.lines.find((l) => l.payeeKind === 'producer')).toMatchObject({
      payeeId: producerId,
      householdId: '',
      status: 'skipped',
      amountFen: 0,
      reference: '',
      skipReason: 'no payout account',
    });
    const owedToProducer = (await balancesOf(db.sql))[`producer:${producerId}:payable`];
    expect(owedToProducer).toBeGreaterThan(0);
    let balances = await balancesOf(db.sql);
    expect([a, b, c, d].map((h) => balances[`household:${h}:benefit`])).toEqual([0, 0, 0, 3_000]);
    expect(balances[`producer:${producerId}:payable`]).toBe(owedToProducer);
    expect(balances[`payouts:pending:${batch!.id}`]).toBe(9_000);
    const memo = await db.sql.query(`select memo from journal_transaction where idempotency_key = $1`, [
      `payout:${batch!.id}:reserved`,
    ]);
    expect(memo.rows[0].memo).toBe(`payout batch ${batch!.id}`);

    // Settling before it is sent is refused; two officers marking it sent at once post it once.
    const early = await expectRejection(
      payouts.call('settlePayoutBatch', { id: batch!.id, failedReferences: [] }, OFFICER),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(early).code).toBe('PAYOUT_BATCH_MOVE_REFUSED');
    const sent = await Promise.all(
      [1, 2, 3].map(() => payouts.call('markPayoutBatchSent', { id: batch!.id }, OFFICER)),
    );
    expect(sent.map((s) => s.detail!.batch!.state)).toEqual(['sent', 'sent', 'sent']);
    balances = await balancesOf(db.sql);
    expect(balances['payouts:in_transit']).toBe(9_000);
    expect(balances[`payouts:pending:${batch!.id}`]).toBe(0);

    const failedRef = created.lines.find((l) => l.householdId === b)!.reference;
    const returnFile = Buffer.from(`\uFEFFreference,reason\n${failedRef},account closed\n`);
    const unknownRef = await expectRejection(
      payouts.call('settlePayoutBatch', { id: batch!.id, failedReferences: ['PB999-0001'] }, OFFICER),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorDetails(unknownRef).fields).toEqual([
      { field: 'failedReferences', reason: 'PB999-0001 is not a line of this batch' },
    ]);
    const settled = await Promise.all(
      [1, 2, 3].map(() =>
        payouts.call('settlePayoutBatch', { id: batch!.id, returnFile, failedReferences: [] }, OFFICER),
      ),
    );
    expect(settled[0]!.detail!.batch).toMatchObject({ state: 'settled', paidFen: 6_000, failedFen: 3_000 });
    balances = await balancesOf(db.sql);
    expect([a, b, c, d].map((h) => balances[`household:${h}:benefit`])).toEqual([0, 3_000, 0, 3_000]);
    expect(balances['payouts:in_transit']).toBe(0);
    expect(balances['payouts:paid']).toBe(6_000);
    // Paid out or returned by the bank, the households' relief income is what it was.
    expect(await income()).toEqual(incomeBefore);
    const posted = await db.sql.query(
      `select count(*)::int as n from journal_transaction where idempotency_key like $1`,
      [`payout:${batch!.id}:%`],
    );
    expect(posted.rows[0].n).toBe(3);

    const other = await expectRejection(
      payouts.call('settlePayoutBatch', { id: batch!.id, failedReferences: [] }, OFFICER),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(other).code).toBe('PAYOUT_BATCH_SETTLED');
    const resend = await expectRejection(
      payouts.call('markPayoutBatchSent', { id: batch!.id }, OFFICER),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(resend).code).toBe('PAYOUT_BATCH_MOVE_REFUSED');
    // Even by SQL, a settled batch does not move back, and no line is deleted.
    await expect(
      db.sql.query(`update payout_batch set state = 'draft' where id = $1`, [batch!.id]),
    ).rejects.toThrow(/cannot move/);
    await expect(db.sql.query(`delete from payout_line where batch_id = $1`, [batch!.id])).rejects.toThrow(
      /never deleted/,
    );
    // The file is the same file however often it is made: same lines, same bytes.
    const lines = created.lines
      .filter((l) => l.status !== 'skipped')
      .map((l) => ({ householdId: l.householdId, amountFen: l.amountFen, reference: l.reference }));
    const files = await Promise.all(
      [1, 2].map(() => registerClient.call('renderPayoutFile', { batchId: batch!.id, lines }, OFFICER)),
    );
    expect(Buffer.from(files[0]!.csv).toString('utf8')).toBe(Buffer.from(files[1]!.csv).toString('utf8'));
    const csv = Buffer.from(files[0]!.csv).toString('utf8').trim().split('\n');
    expect(csv[0]).toBe('payee_name,bank_account,bank_name,amount,reference');
    expect(csv.slice(1)).toContain(`户主1,${accountNumberOf(1)},济源农商银行,30.00,${failedRef}`);
    const chain = ledgerService.app.get(ChainService);
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      if ((await chain.head()).unsealed === 0) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await chain.verify(0)).ok).toBe(true);
  });

  it('reserves a balance once however many batches are created at once', async () => {
    const households = inVillage.slice(4, 10).map((h) => h.id);
    for (const i of [4, 5, 6, 7, 8, 9]) {
      await setAccount(i);
    }
    await credit(households, 2_500);
    const before = await db.sql.query(`select count(*)::int as n from payout_batch`);
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, () => payouts.call('createPayoutBatch', { minimumFen: 2_000 }, OFFICER)),
    );
    const made = attempts.filter((x) => x.status === 'fulfilled');
    expect(made.length).toBeGreaterThanOrEqual(1);
    for (const x of attempts) {
      if (x.status === 'rejected') {
        expect(['NOTHING_TO_PAY', 'PAYOUT_BALANCE_CHANGED']).toContain(errorDetails(x.reason).code);
      }
    }
    const open = await db.sql.query<{ payee_id: string; n: number; fen: string }>(
      `select payee_id, count(*)::int as n, sum(amount_fen) as fen from payout_line
        where status in ('reserved', 'in_transit') and payee_kind = 'household' group by payee_id`,
    );
    for (const h of households) {
      const row = open.rows.find((r) => r.payee_id === h);
      expect(row).toMatchObject({ n: 1 });
      expect(Number(row!.fen)).toBe(2_500);
      expect(await balance(h)).toBe(0);
    }
    const after = await db.sql.query(`select count(*)::int as n from payout_batch`);
    expect(after.rows[0].n - before.rows[0].n).toBe(made.length);
    // The database refuses a second open line for a household, whoever writes it.
    const batchId = (await db.sql.query(`select id from payout_batch order by number desc limit 1`)).rows[0]
      .id;
    await expect(
      db.sql.query(
        `insert into payout_line (batch_id, payee_kind, payee_id, seq, reference, amount_fen, status)
         select id, 'household', $1, 99, 'X-1', 1, 'reserved' from payout_batch where id <> $2 limit 1`,
        [households[0], batchId],
      ),
    ).rejects.toThrow(/payout_line_one_open/);
  });

  it("pays a producer's payable beside households, puts a failed producer line back to its payable, and pays it once", async () => {
    // Ruixing is owed the whole of a sale (no household share): 20,000 fen less what the split keeps.
    const payable = () => balancesOf(db.sql).then((b) => b[`producer:${RUIXING}:payable`] ?? 0);
    const before = await payable();
    const sale = paidOrder({
      donationFen: 0,
      lines: [
        {
          productId: randomUUID(),
          producerId: RUIXING,
          quantity: 2,
          unitPriceFen: 10_000,
          householdShareBps: 0,
        },
      ],
    });
    await deliver(sale.paid());
    const owed = await payable();
    expect(owed).toBeGreaterThan(before);
    const household = inVillage[10]!.id;
    await setAccount(10);
    await credit([household], 4_000);
    const set = await catalogClient.call(
      'setProducerPayoutAccount',
      {
        producerId: RUIXING,
        payeeName: '睿兴农业合作社',
        accountNumber: '4105 0166 8808 0000 0123',
        bankName: '中国建设银行济源分行',
      },
      OFFICER,
    );
    expect(set.account).toMatchObject({ accountNumber: '****0123', payeeName: '睿兴农业合作社' });

    const created = (
      await payouts.call('createPayoutBatch', { minimumFen: 1_000, memo: 'producers' }, OFFICER)
    ).detail!;
    const batchId = created.batch!.id;
    const producerLine = created.lines.find((l) => l.payeeKind === 'producer' && l.payeeId === RUIXING)!;
    const householdLine = created.lines.find((l) => l.payeeKind === 'household' && l.payeeId === household)!;
    expect(producerLine).toMatchObject({ status: 'reserved', amountFen: owed, householdId: '' });
    expect(householdLine).toMatchObject({ status: 'reserved', amountFen: 4_000, householdId: household });
    // Households come first in the file, then producers.
    const reserved = created.lines.filter((l) => l.status === 'reserved');
    expect(reserved.findIndex((l) => l === producerLine)).toBeGreaterThan(
      reserved.findIndex((l) => l === householdLine),
    );
    let balances = await balancesOf(db.sql);
    expect(balances[`producer:${RUIXING}:payable`]).toBe(0);
    expect(balances[`household:${household}:benefit`]).toBe(0);
    expect(balances[`payouts:pending:${batchId}`]).toBe(created.batch!.totalFen);

    // A second batch made now finds nothing of theirs: the same fen is never reserved twice.
    const again = await payouts.call('createPayoutBatch', { minimumFen: 1_000 }, OFFICER).then(
      (r) => r.detail!.lines,
      (e) => {
        expect(errorDetails(e).code).toBe('NOTHING_TO_PAY');
        return [];
      },
    );
    expect(again.filter((l) => l.payeeId === RUIXING || l.payeeId === household)).toEqual([]);

    // The producer's rows of the file: the same bytes however often made; nobody paid by making it.
    const rows = [1, 2].map(() =>
      catalogClient.call(
        'renderProducerPayoutRows',
        { batchId, lines: [{ producerId: RUIXING, amountFen: owed, reference: producerLine.reference }] },
        OFFICER,
      ),
    );
    const [first, second] = await Promise.all(rows);
    expect(Buffer.from(first!.csv).toString('utf8')).toBe(Buffer.from(second!.csv).toString('utf8'));
    const yuan = `${Math.floor(owed / 100)}.${String(owed % 100).padStart(2, '0')}`;
    expect(Buffer.from(first!.csv).toString('utf8')).toBe(
      `睿兴农业合作社,${PRODUCER_ACCOUNT},中国建设银行济源分行,${yuan},${producerLine.reference}\n`,
    );
    expect((await balancesOf(db.sql))[`payouts:pending:${batchId}`]).toBe(created.batch!.totalFen);

    await payouts.call('markPayoutBatchSent', { id: batchId }, OFFICER);
    const settled = (
      await payouts.call(
        'settlePayoutBatch',
        { id: batchId, failedReferences: [producerLine.reference] },
        OFFICER,
      )
    ).detail!;
    expect(settled.batch).toMatchObject({
      state: 'settled',
      failedFen: owed,
      paidFen: created.batch!.totalFen - owed,
    });
    expect(settled.lines.find((l) => l.payeeId === RUIXING)!.status).toBe('failed');
    expect(settled.lines.find((l) => l.payeeId === household)!.status).toBe('paid');
    balances = await balancesOf(db.sql);
    expect(balances[`producer:${RUIXING}:payable`]).toBe(owed);
    expect(balances[`household:${household}:benefit`]).toBe(0);
    const posted = await db.sql.query(
      `select count(*)::int as n from journal_transaction where idempotency_key like $1`,
      [`payout:${batchId}:%`],
    );
    expect(posted.rows[0].n).toBe(3);
    // The returned payable may be paid by the next batch: one open line for it again.
    const next = (await payouts.call('createPayoutBatch', { minimumFen: owed }, OFFICER)).detail!;
    expect(next.lines.filter((l) => l.payeeId === RUIXING)).toMatchObject([
      { status: 'reserved', amountFen: owed },
    ]);

    // The sale is refunded after the batch took Ruixing's payable: the refund is posted, what the
    // payable no longer holds goes to the producer's receivable, and nothing goes below zero.
    await deliver(sale.refund([{ index: 0, quantity: 2 }]));
    balances = await balancesOf(db.sql);
    expect(balances[`producer:${RUIXING}:payable`]).toBe(0);
    expect(balances[`producer:${RUIXING}:recoverable`]).toBe(owed - before);
    expect(balances[`payouts:pending:${next.batch!.id}`]).toBe(next.batch!.totalFen);
    const negative = await db.sql.query(
      `select 1 from account_balance where non_negative and balance_fen < 0`,
    );
    expect(negative.rowCount).toBe(0);
  });

  it('lets auditors read batches and refuses everyone else, and the file only to officers through the gateway', async () => {
    const list = await payouts.call('listPayoutBatches', { state: '' }, AUDITOR);
    expect(list.batches.length).toBeGreaterThan(0);
    const denied = await expectRejection(
      payouts.call('createPayoutBatch', { minimumFen: 1 }, AUDITOR),
      grpc.status.PERMISSION_DENIED,
    );
    expect(denied).toBeDefined();
    await expectRejection(
      payouts.call('listPayoutBatches', { state: '' }, buyer()),
      grpc.status.PERMISSION_DENIED,
    );
    const bad = await expectRejection(
      payouts.call('createPayoutBatch', { minimumFen: 0 }, OFFICER),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorDetails(bad).fields?.[0]?.field).toBe('minimumFen');
    const line = { householdId: inVillage[0]!.id, amountFen: 100, reference: 'PB1-0001' };
    await expectRejection(
      registerClient.call('renderPayoutFile', { batchId: randomUUID(), lines: [line] }, AUDITOR),
      grpc.status.PERMISSION_DENIED,
    );
    // The ledger (or anyone else as a service) cannot get account numbers.
    await expectRejection(
      registerClient.call('renderPayoutFile', { batchId: randomUUID(), lines: [line] }, 'service', {
        from: 'ledger',
      }),
      grpc.status.PERMISSION_DENIED,
    );
  });

  it('holds no payout account number in its database (every text column scanned)', async () => {
    const secrets = [...Array.from({ length: 10 }, (_, i) => accountNumberOf(i)), PRODUCER_ACCOUNT];
    const { rows: columns } = await db.sql.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
        where table_schema = 'public' and data_type in ('text', 'character', 'character varying', 'jsonb', 'json')`,
    );
    const found: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const { rows } = await db.sql.query<{ v: string }>(
        `select "${column}"::text as v from "${table}" where "${column}" is not null`,
      );
      for (const { v } of rows) {
        if (secrets.some((s) => v.includes(s) || v.includes(s.slice(-8)))) {
          found.push(`${table}.${column}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
