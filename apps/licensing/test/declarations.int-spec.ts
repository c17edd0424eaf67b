import { status } from '@grpc/grpc-js';
import { errorDetails, expectRejection, freePort } from '@yugong/shared/testing';
// The ledger the declarations are posted to, booted in-process on its own database; spoken to over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import * as ledgerHarness from '../../ledger/test/support/harness';
import { DeclarationsService } from '../src/declarations/declarations.service';
import {
  ADMIN,
  applyForRabbit,
  approve,
  AUDITOR,
  bootLicensing,
  CONSUMER,
  OFFICER,
  RUIXING_STAFF,
  startTestLicensing,
  YANGGUANG,
  YANGGUANG_STAFF,
  type TestLicensing,
} from './support/harness';

type Ledger = Awaited<ReturnType<typeof ledgerHarness.bootLedger>>;

describe('quarterly declarations of off-platform sales', () => {
  let ledgerDb: Awaited<ReturnType<typeof ledgerHarness.ledgerDatabase>>;
  let ledger: Ledger;
  let t: TestLicensing;

  beforeAll(async () => {
    ledgerDb = await ledgerHarness.ledgerDatabase('declarations_ledger');
    ledger = await ledgerHarness.bootLedger(ledgerDb.url, {});
    t = await startTestLicensing('declarations', {
      LEDGER_GRPC_URL: ledger.address,
      DECLARATION_GRACE_DAYS: '30',
    });
  });

  afterAll(async () => {
    await t?.close();
    await ledger?.close();
    await ledgerDb?.close();
  });

  beforeEach(async () => {
    await t.sql.query(
      'truncate declaration_payment, sales_declaration, label_code, label_batch, licence cascade',
    );
    await t.catalog.sql.query('delete from product_licence');
  });

  /** Yangguang's licence (2 %, at least ¥0.50 a unit), in force since 1 January 2020. */
  const licensedSince2020 = async () => {
    const licence = await approve(t, (await applyForRabbit(t)).id);
    await t.sql.query(`update licence set valid_from = '2020-01-01T00:00:00+08:00' where id = $1`, [
      licence.id,
    ]);
    return licence;
  };
  const declare = (
    who: object | null,
    licenceId: string,
    quarter: string,
    units: number,
    revenueFen: number,
  ) =>
    t.client.call('declareQuarterlySales', { licenceId, quarter, units, revenueFen, note: '' }, who as never);
  const pay = (who: object | null, declarationId: string, amountFen: number, idempotencyKey: string) =>
    t.client.call(
      'recordDeclarationPayment',
      { declarationId, amountFen, reference: `BANK-${idempotencyKey}`, idempotencyKey },
      who as never,
    );
  const balance = async (code: string) =>
    Number(
      (await ledgerDb.sql.query('select balance_fen from account_totals where code = $1', [code])).rows[0]
        ?.balance_fen ?? 0,
    );
  const receivable = `producer:${YANGGUANG}:commitment_receivable`;

  it('computes the commitment by the licence terms and posts it to the ledger as a receivable', async () => {
    const licence = await licensedSince2020();
    const fundBefore = await balance('fund:relief:declared');
    const owedBefore = await balance(receivable);
    // 2 % of ¥12,345.67 = 24691.34 fen → 24691; 1,000 units at ¥0.50 = 50000: the minimum wins.
    const { declaration } = await declare(YANGGUANG_STAFF, licence.id, '2020-Q3', 1_000, 1_234_567);
    expect(declaration).toMatchObject({
      licenceId: licence.id,
      licenceNumber: licence.number,
      producerId: YANGGUANG,
      quarter: '2020-Q3',
      units: 1_000,
      revenueFen: 1_234_567,
      commitmentBps: 200,
      minPerUnitFen: 50,
      commitmentFen: 50_000,
      paidFen: 0,
      declaredBy: YANGGUANG_STAFF.userId,
      posted: true,
    });
    // By the rate: 2 % of ¥40,000.25 = 80000.5 fen, half up → 80001; 100 units at ¥0.50 = 5000.
    const byRate = await declare(OFFICER, licence.id, '2020-Q4', 100, 4_000_025);
    expect(byRate.declaration!.commitmentFen).toBe(80_001);
    expect((await balance(receivable)) - owedBefore).toBe(130_001);
    expect((await balance('fund:relief:declared')) - fundBefore).toBe(130_001);
    const tx = await ledgerDb.sql.query(
      `select t.kind, sum(case when p.side = 'debit' then p.fen else -p.fen end) as net
         from journal_transaction t join posting p on p.transaction_id = t.id
        where t.idempotency_key = $1 group by t.kind`,
      [`declaration:${declaration!.id}:declared`],
    );
    expect(tx.rows).toEqual([{ kind: 'commitment_declared', net: '0' }]);
  });

  it('takes one declaration per licence and quarter, of an ended quarter the licence was in force', async () => {
    const licence = await licensedSince2020();
    await declare(YANGGUANG_STAFF, licence.id, '2021-Q1', 10, 10_000);
    const again = await expectRejection(
      declare(YANGGUANG_STAFF, licence.id, '2021-Q1', 20, 20_000),
      status.ALREADY_EXISTS,
    );
    expect(errorDetails(again).fields.map((f) => f.field)).toEqual(['quarter']);
    const future = await expectRejection(
      declare(YANGGUANG_STAFF, licence.id, `${new Date().getUTCFullYear() + 1}-Q1`, 1, 100),
      status.INVALID_ARGUMENT,
    );
    expect(errorDetails(future).fields).toEqual([{ field: 'quarter', reason: 'the quarter has not ended' }]);
    await expectRejection(declare(YANGGUANG_STAFF, licence.id, '2019-Q4', 1, 100), status.INVALID_ARGUMENT);
    const bad = await expectRejection(
      declare(YANGGUANG_STAFF, licence.id, '2020-Q5', 1, 100),
      status.INVALID_ARGUMENT,
    );
    expect(errorDetails(bad).fields.map((f) => f.field)).toEqual(['quarter']);
    // Units without revenue under a rate of the revenue: the rate would go unpaid.
    const incomplete = await expectRejection(
      declare(YANGGUANG_STAFF, licence.id, '2021-Q2', 10, 0),
      status.INVALID_ARGUMENT,
    );
    expect(errorDetails(incomplete).fields.map((f) => f.field)).toEqual(['revenueFen']);
    // A quarter with no sales is declared at zero, and nothing is posted.
    const none = await declare(YANGGUANG_STAFF, licence.id, '2021-Q3', 0, 0);
    expect(none.declaration).toMatchObject({ commitmentFen: 0, posted: true });
    const rows = await t.sql.query('select quarter from sales_declaration order by quarter');
    expect(rows.rows.map((r: { quarter: string }) => r.quarter)).toEqual(['2021-Q1', '2021-Q3']);
  });

  it('role × method: licensee staff declare for their producer only; officers record payments', async () => {
    const licence = await licensedSince2020();
    for (const [who, code] of [
      [null, status.UNAUTHENTICATED],
      [CONSUMER, status.PERMISSION_DENIED],
      [AUDITOR, status.PERMISSION_DENIED],
      [RUIXING_STAFF, status.NOT_FOUND],
    ] as const) {
      await expectRejection(declare(who, licence.id, '2020-Q2', 1, 100), code);
    }
    const { declaration } = await declare(ADMIN, licence.id, '2020-Q2', 10, 10_000);
    for (const [who, code] of [
      [null, status.UNAUTHENTICATED],
      [YANGGUANG_STAFF, status.PERMISSION_DENIED],
      [AUDITOR, status.PERMISSION_DENIED],
      [CONSUMER, status.PERMISSION_DENIED],
    ] as const) {
      await expectRejection(pay(who, declaration!.id, 100, `k-${code}`), code);
    }
    expect((await t.sql.query('select count(*)::int as n from declaration_payment')).rows[0].n).toBe(0);
    // Reading: the office and auditors all; staff their own producer's only.
    const list = (who: object) =>
      t.client.call('listDeclarations', { licenceId: '', producerId: '', quarter: '' }, who as never);
    expect((await list(AUDITOR)).declarations).toHaveLength(1);
    expect((await list(YANGGUANG_STAFF)).declarations).toHaveLength(1);
    expect((await list(RUIXING_STAFF)).declarations).toHaveLength(0);
    await expectRejection(list(CONSUMER), status.PERMISSION_DENIED);
  });

  it('settles the receivable by payments, once per key, never beyond what is due', async () => {
    const licence = await licensedSince2020();
    const owedBefore = await balance(receivable);
    const { declaration } = await declare(YANGGUANG_STAFF, licence.id, '2020-Q1', 1_000, 100_000);
    expect(declaration!.commitmentFen).toBe(50_000);
    expect((await balance(receivable)) - owedBefore).toBe(50_000);
    const before = await balance('clearing:manual');
    const first = await pay(OFFICER, declaration!.id, 20_000, 'pay-1');
    expect(first).toMatchObject({
      replayed: false,
      declaration: { paidFen: 20_000 },
      payment: { amountFen: 20_000, posted: true },
    });
    const repeat = await pay(OFFICER, declaration!.id, 20_000, 'pay-1');
    expect(repeat).toMatchObject({ replayed: true, declaration: { paidFen: 20_000 } });
    expect(repeat.payment!.id).toBe(first.payment!.id);
    await expectRejection(pay(OFFICER, declaration!.id, 25_000, 'pay-1'), 'IDEMPOTENCY_KEY_REUSED');
    const over = await expectRejection(pay(OFFICER, declaration!.id, 30_001, 'pay-2'), 'PAYMENT_EXCEEDS_DUE');
    expect(errorDetails(over).fields).toEqual([{ field: 'amountFen', reason: 'at most 30000' }]);
    await pay(ADMIN, declaration!.id, 30_000, 'pay-3');
    expect(await balance(receivable)).toBe(owedBefore);
    expect((await balance('clearing:manual')) - before).toBe(50_000);
    const rows = await t.sql.query(
      'select idempotency_key, amount_fen from declaration_payment order by recorded_at',
    );
    expect(rows.rows).toEqual([
      { idempotency_key: 'pay-1', amount_fen: '20000' },
      { idempotency_key: 'pay-3', amount_fen: '30000' },
    ]);
  });

  it('concurrent payments: what is paid never passes the commitment (the conditional update)', async () => {
    const licence = await licensedSince2020();
    const owedBefore = await balance(receivable);
    const { declaration } = await declare(YANGGUANG_STAFF, licence.id, '2020-Q2', 600, 60_000);
    expect(declaration!.commitmentFen).toBe(30_000);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => pay(OFFICER, declaration!.id, 10_000, `race-${i}`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect(errorDetails((r as PromiseRejectedResult).reason).code).toBe('PAYMENT_EXCEEDS_DUE');
    }
    const row = await t.sql.query('select paid_fen from sales_declaration where id = $1', [declaration!.id]);
    expect(row.rows[0].paid_fen).toBe('30000');
    expect((await t.sql.query('select count(*)::int as n from declaration_payment')).rows[0].n).toBe(3);
    expect(await balance(receivable)).toBe(owedBefore);
    // The CHECK holds even against a write that skips the service's condition.
    await expect(
      t.sql.query('update sales_declaration set paid_fen = paid_fen + 1 where id = $1', [declaration!.id]),
    ).rejects.toThrow(/sales_declaration_paid_within_due/);
  });

  it('flags quarters of live licences undeclared past the grace days to the office', async () => {
    const licence = await licensedSince2020();
    const overdue = async () => await t.client.call('listOverdueDeclarations', {}, AUDITOR as never);
    const first = await overdue();
    expect(first.graceDays).toBe(30);
    const quarters = first.overdue.map((o) => o.quarter);
    expect(quarters[0]).toBe('2020-Q1');
    expect(first.overdue[0]).toMatchObject({
      licenceId: licence.id,
      licenceNumber: licence.number,
      producerId: YANGGUANG,
    });
    // Every quarter since 2020-Q1 whose end is 30 days past, none twice.
    const now = new Date();
    const cutoff = new Date(now.getTime() - 30 * 86_400_000 + 8 * 3_600_000);
    const lastEnded = cutoff.getUTCFullYear() * 4 + Math.floor(cutoff.getUTCMonth() / 3) - 1;
    expect(quarters).toHaveLength(lastEnded - 2020 * 4 + 1);
    expect(new Set(quarters).size).toBe(quarters.length);
    await declare(YANGGUANG_STAFF, licence.id, '2020-Q1', 0, 0);
    const after = (await overdue()).overdue.map((o) => o.quarter);
    expect(after).not.toContain('2020-Q1');
    expect(after).toHaveLength(quarters.length - 1);
    // A revoked licence owes no more declarations to the list.
    await t.client.call(
      'changeLicenceStatus',
      {
        id: licence.id,
        action: 'LICENCE_ACTION_REVOKE' as never,
        reason: 'test',
        validFrom: '',
        validTo: '',
      },
      OFFICER,
    );
    expect((await overdue()).overdue).toHaveLength(0);
    await expectRejection(
      t.client.call('listOverdueDeclarations', {}, YANGGUANG_STAFF as never),
      status.PERMISSION_DENIED,
    );
  });

  it('a declaration made while the ledger is down is posted by the next pass', async () => {
    const licence = await licensedSince2020();
    const owedBefore = await balance(receivable);
    const paidBefore = await balance('clearing:manual');
    const nowhere = `127.0.0.1:${await freePort()}`;
    const cut = await bootLicensing(t.url, t.catalog.address, {
      LEDGER_GRPC_URL: nowhere,
      GRPC_DEADLINE_MS: '300',
    });
    try {
      const { declaration } = await cut.client.call(
        'declareQuarterlySales',
        { licenceId: licence.id, quarter: '2020-Q4', units: 100, revenueFen: 10_000, note: '' },
        YANGGUANG_STAFF,
      );
      expect(declaration).toMatchObject({ commitmentFen: 5_000, posted: false });
      const paid = await cut.client.call(
        'recordDeclarationPayment',
        { declarationId: declaration!.id, amountFen: 5_000, reference: '', idempotencyKey: 'down-1' },
        OFFICER,
      );
      expect(paid.payment!.posted).toBe(false);
      expect(await balance(receivable)).toBe(owedBefore);
      // The instance that reaches the ledger posts both, the receivable first.
      expect(await t.app.get(DeclarationsService).postPending()).toBe(2);
      expect(await t.app.get(DeclarationsService).postPending()).toBe(0);
      const n = await ledgerDb.sql.query(
        `select kind from journal_transaction where idempotency_key like $1 order by recorded_at`,
        [`declaration:${declaration!.id}:%`],
      );
      expect(n.rows.map((r: { kind: string }) => r.kind)).toEqual(['commitment_declared', 'commitment_paid']);
      expect(await balance(receivable)).toBe(owedBefore);
      expect((await balance('clearing:manual')) - paidBefore).toBe(5_000);
    } finally {
      await cut.close();
    }
  });
});
