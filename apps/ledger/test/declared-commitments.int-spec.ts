import * as grpc from '@grpc/grpc-js';
import { errorDetails, expectRejection, GRPC_SERVICES, grpcTestClient } from '@yugong/shared/testing';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { DistributionService } from '../src/distribution/distribution.service';
import {
  balancesOf,
  bootLedger,
  ledgerDatabase,
  OFFICER,
  YANGGUANG,
  type BootedLedger,
  type LedgerClient,
} from './support/harness';

const ts = (d: Date) => ({ seconds: Math.floor(d.getTime() / 1_000), nanos: 0 });

/**
 * Licensees' declared commitments of off-platform sales, as licensing posts them: a receivable of
 * the producer owed to the relief fund, settled by payments (which move it into the fund), each
 * once, never below zero.
 */
describe('declared commitments', () => {
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledger: BootedLedger;
  let asLicensing: LedgerClient;

  beforeAll(async () => {
    db = await ledgerDatabase('declared_commitments');
    ledger = await bootLedger(db.url, {});
    asLicensing = grpcTestClient(GRPC_SERVICES.ledger, ledger.address, {
      from: 'licensing',
      audience: 'ledger',
    });
  });

  afterAll(async () => {
    asLicensing?.close();
    await ledger?.close();
    await db?.close();
  });

  const receivable = `producer:${YANGGUANG}:commitment_receivable`;
  const declared = (declarationId: string, amountFen: number) => ({
    declarationId,
    producerId: YANGGUANG,
    licenceId: randomUUID(),
    licenceNumber: 'LOGO-2020-000001',
    quarter: '2020-Q3',
    amountFen,
    declaredAt: ts(new Date('2020-10-15T00:00:00Z')),
  });
  const payment = (declarationId: string, amountFen: number, paymentId = randomUUID()) => ({
    paymentId,
    declarationId,
    producerId: YANGGUANG,
    amountFen,
    receivedAt: ts(new Date('2020-11-01T00:00:00Z')),
    reference: 'BANK-1',
  });

  it('posts a declaration once as a receivable and settles it by payments, never beyond', async () => {
    const id = randomUUID();
    const first = await asLicensing.call('postDeclaredCommitment', declared(id, 12_345), 'service');
    const again = await asLicensing.call('postDeclaredCommitment', declared(id, 12_345), 'service');
    expect(again).toEqual({ transactionId: first.transactionId, replayed: true });
    expect(await balancesOf(db.sql)).toMatchObject({ [receivable]: 12_345, 'fund:relief:declared': 12_345 });
    expect((await balancesOf(db.sql))['fund:relief']).toBeUndefined();

    const paymentId = randomUUID();
    const paid = await asLicensing.call(
      'settleDeclaredCommitment',
      payment(id, 10_000, paymentId),
      'service',
    );
    expect(paid.replayed).toBe(false);
    expect(
      (await asLicensing.call('settleDeclaredCommitment', payment(id, 10_000, paymentId), 'service'))
        .replayed,
    ).toBe(true);
    const over = await expectRejection(
      asLicensing.call('settleDeclaredCommitment', payment(id, 2_346), 'service'),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(over).code).toBe('RECEIVABLE_EXCEEDED');
    // Payments arriving at once: the receivable's non-negative balance lets through what it holds.
    const racing = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        asLicensing.call('settleDeclaredCommitment', payment(id, 1_000), 'service'),
      ),
    );
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(await balancesOf(db.sql)).toMatchObject({
      [receivable]: 345,
      'fund:relief:declared': 345,
      'fund:relief': 12_000,
      'clearing:manual': 12_000,
    });
    // Paid commitments are the fund's to distribute: no refund takes them back.
    const distributable = await ledger.app
      .get(DistributionService)
      .available(ledger.app.get(EntityManager).fork());
    expect(distributable).toBe(12_000);
    const unbalanced = await db.sql.query(
      `select t.id from journal_transaction t join posting p on p.transaction_id = t.id
        group by t.id having sum(case when p.side = 'debit' then p.fen else -p.fen end) <> 0`,
    );
    expect(unbalanced.rows).toEqual([]);
  });

  it('is licensing only', async () => {
    const refused = await expectRejection(
      ledger.client.call('postDeclaredCommitment', declared(randomUUID(), 100), OFFICER),
    );
    expect(refused.code).toBe(grpc.status.PERMISSION_DENIED);
    const asOrders = grpcTestClient(GRPC_SERVICES.ledger, ledger.address, {
      from: 'orders',
      audience: 'ledger',
    });
    try {
      const byOrders = await expectRejection(
        asOrders.call('postDeclaredCommitment', declared(randomUUID(), 100), 'service'),
      );
      expect(byOrders.code).toBe(grpc.status.PERMISSION_DENIED);
    } finally {
      asOrders.close();
    }
    const bad = await expectRejection(
      asLicensing.call(
        'postDeclaredCommitment',
        { ...declared(randomUUID(), 0), quarter: '2020-Q9' },
        'service',
      ),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(
      errorDetails(bad)
        .fields.map((f) => f.field)
        .sort(),
    ).toEqual(['amountFen', 'quarter']);
  });
});
