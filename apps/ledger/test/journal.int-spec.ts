import * as grpc from '@grpc/grpc-js';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { errorDetails, expectRejection, until } from '@yugong/shared/testing';
import { ChainService } from '../src/chain/chain.service';
import { verifyLedger } from '../src/chain/verify-ledger';
import {
  AUDITOR,
  balancesOf,
  bootLedger,
  ledgerDatabase,
  paidOrder,
  RABBIT,
  startTestRegion,
  YANGGUANG,
  type BootedLedger,
  type TestRegion,
} from './support/harness';

describe('the journal', () => {
  let region: TestRegion;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledger: BootedLedger;

  beforeAll(async () => {
    region = await startTestRegion('ledger_journal');
    db = await ledgerDatabase('ledger_journal');
    ledger = await bootLedger(db.url, {
      catalog: region.catalogAddress,
      beneficiaries: region.beneficiariesAddress,
    });
  }, 90_000);

  afterAll(async () => {
    await ledger?.close();
    await db?.close();
    await region?.close();
  });

  const ownConnection = (): EntityManager => ledger.app.get(MikroORM).em.fork() as EntityManager;

  it('splits a sale to the lot suppliers by quantity, once per event id', async () => {
    const sale = paidOrder({
      lines: [
        {
          productId: RABBIT,
          producerId: YANGGUANG,
          quantity: 3,
          unitPriceFen: 4_850,
          householdShareBps: 800,
          lotId: region.lot.id,
        },
      ],
      donationFen: 50,
    });
    const event = sale.paid();
    expect(await ledger.consumer.call('consumeOrderEvent', { event }, 'service')).toEqual({ applied: true });
    expect(await ledger.consumer.call('consumeOrderEvent', { event }, 'service')).toEqual({ applied: false });

    const b = await balancesOf(db.sql);
    // 14,550 gross, 8 % to households = 1,164 split by supplied quantities 10..19 (sum 145).
    const shares = region.suppliers.map((s) => b[`household:${s.householdId}:benefit`]);
    expect(shares.reduce((x, y) => x + (y ?? 0), 0)).toBe(1_164);
    expect(shares[0]).toBe(80); // 1,164 × 10 / 145 = 80.28
    expect(shares[9]).toBe(153); // 1,164 × 19 / 145 = 152.5 → the largest remainders get the rest
    expect(b['producer:' + YANGGUANG + ':payable']).toBe(14_550 - 1_164);
    expect(b['fund:relief']).toBe(50);
    expect(b['clearing:manual']).toBe(14_600);
    const { rows } = await db.sql.query('select count(*)::int as n from journal_transaction');
    expect(rows[0].n).toBe(1);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of journal rows through the service connection', async () => {
    // Every table holds a row, so that each statement has something to refuse.
    await until(
      async () => ((await ledger.client.call('getChainHead', {}, AUDITOR)).sequence === 1 ? true : undefined),
      5_000,
      'the sale sealed',
    );
    for (const statement of [
      'update posting set fen = fen + 1',
      'delete from posting',
      'update journal_transaction set memo = $$x$$',
      'delete from journal_transaction',
      'truncate posting cascade',
      'update chain_link set hash = prev_hash',
      'delete from applied_event',
      'update account_balance set balance_fen = balance_fen + 100',
      'delete from account_balance',
      `insert into account_balance select id, 15, false, true, 0, 100, 100 from account limit 1`,
      `update account set code = 'fund:other' where code = 'fund:relief'`,
      'delete from account',
    ]) {
      await expect(ownConnection().execute(statement)).rejects.toThrow(
        /refused|only through postings|never deleted|keeps its code/,
      );
    }
    const { rows } = await db.sql.query('select sum(fen)::int as fen, count(*)::int as n from posting');
    expect(rows[0]).toEqual({ fen: 14_600 * 2, n: 13 });
  });

  it('refuses at commit a transaction whose debits and credits differ, and writes nothing', async () => {
    const before = await balancesOf(db.sql);
    const em = ownConnection();
    await expect(
      em.transactional(async (tx) => {
        const [t] = await tx.execute(
          `insert into journal_transaction (id, idempotency_key, kind, occurred_at, memo)
           values (gen_random_uuid(), 'test:unbalanced', 'reversal', now(), 'unbalanced') returning id`,
        );
        await tx.execute(
          `insert into posting (transaction_id, account_id, side, fen, role, slot)
           select ?, id, 'debit', 100, 'clearing', 0 from account where code = 'clearing:manual'`,
          [t.id],
        );
        await tx.execute(
          `insert into posting (transaction_id, account_id, side, fen, role, slot)
           select ?, id, 'credit', 99, 'producer', 0 from account where code like 'producer:%'`,
          [t.id],
        );
      }),
    ).rejects.toThrow(/does not balance/);
    expect(await balancesOf(db.sql)).toEqual(before);
    // A posting added later to a transaction already committed is refused too.
    await expect(
      ownConnection().execute(
        `insert into posting (transaction_id, account_id, side, fen, role, slot)
         select t.id, a.id, 'debit', 1, 'clearing', 0 from journal_transaction t, account a
          where a.code = 'clearing:manual' limit 1`,
      ),
    ).rejects.toThrow(/outside the database transaction/);
    // A refund cannot take out of a household more than it got.
    await expect(
      em.transactional(async (tx) => {
        const [t] = await tx.execute(
          `insert into journal_transaction (id, idempotency_key, kind, occurred_at, memo)
           values (gen_random_uuid(), 'test:overdraw', 'reversal', now(), 'overdraw') returning id`,
        );
        await tx.execute(
          `insert into posting (transaction_id, account_id, side, fen, role, slot)
           select ?, id, 'debit', 1000000, 'household', 0 from account where code like 'household:%' limit 1`,
          [t.id],
        );
      }),
    ).rejects.toThrow(/account_balance_non_negative/);
  });

  it('seals every transaction within seconds, and verify names the one a superuser changed', async () => {
    for (let i = 0; i < 5; i++) {
      const sale = paidOrder({
        lines: [
          {
            productId: RABBIT,
            producerId: YANGGUANG,
            quantity: 1 + i,
            unitPriceFen: 3_000,
            householdShareBps: 800,
            lotId: region.lot.id,
          },
        ],
        method: 'stripe',
      });
      await ledger.consumer.call('consumeOrderEvent', { event: sale.paid() }, 'service');
    }
    const head = await until(
      async () => {
        const h = await ledger.client.call('getChainHead', {}, AUDITOR);
        return h.sequence === 6 && h.unsealed === 0 ? h : undefined;
      },
      5_000,
      'every transaction sealed',
    );
    expect(head.hash).toMatch(/^[0-9a-f]{64}$/);
    const chain = ledger.app.get(ChainService);
    const intact = await chain.verify(0);
    expect(intact).toEqual({
      ok: true,
      checked: 6,
      unsealed: [],
      summary: { rows: expect.any(Number), mismatches: [] },
    });
    expect(intact.summary.rows).toBeGreaterThan(0);

    // The summary the reports read, changed behind the sequencer's back: the chain is intact, the
    // summary is not, and the check names the row.
    const { rows: summaryRows } = await db.sql.query(
      `update account_month set debit_fen = debit_fen + 1
        where (account_id, month, kind) = (select account_id, month, kind from account_month
                                             where debit_fen > 0 order by account_id, month, kind limit 1)
        returning account_id, month::text as month, kind, debit_fen`,
    );
    const drifted = await verifyLedger(db.url, 0);
    expect(drifted.ok).toBe(false);
    expect(drifted.firstBad).toBeUndefined();
    expect(drifted.summary.mismatches).toEqual([
      {
        accountId: Number(summaryRows[0].account_id),
        month: summaryRows[0].month,
        kind: summaryRows[0].kind,
        postings: expect.objectContaining({ debitFen: Number(summaryRows[0].debit_fen) - 1 }),
        summary: expect.objectContaining({ debitFen: Number(summaryRows[0].debit_fen) }),
      },
    ]);
    await db.sql.query(
      `update account_month set debit_fen = debit_fen - 1 where account_id = $1 and month = $2 and kind = $3`,
      [summaryRows[0].account_id, summaryRows[0].month, summaryRows[0].kind],
    );
    expect((await verifyLedger(db.url, 0)).ok).toBe(true);

    const { rows } = await db.sql.query(
      `select t.id, t.idempotency_key from chain_link c join journal_transaction t on t.id = c.transaction_id where c.seq = 4`,
    );
    // The superuser gets past the triggers; the chain still shows it.
    await db.sql.query('begin');
    await db.sql.query(`set local session_replication_role = replica`);
    await db.sql.query(
      `update posting set fen = fen + 1 where id = (select min(id) from posting where transaction_id = $1 and role = 'producer')`,
      [rows[0].id],
    );
    await db.sql.query('commit');
    // What `npm run ledger:verify` runs.
    const report = await verifyLedger(db.url, 0);
    expect(report.ok).toBe(false);
    expect(report.firstBad).toMatchObject({
      seq: 4,
      transactionId: rows[0].id,
      idempotencyKey: rows[0].idempotency_key,
    });
  });

  it('refuses a consumer event naming the field that is wrong', async () => {
    const error = await expectRejection(
      ledger.consumer.call(
        'consumeOrderEvent',
        { event: { ...paidOrder({ lines: [] }).paid(), eventId: 'nope' } },
        'service',
      ),
    );
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorDetails(error).fields).toEqual([{ field: 'eventId', reason: 'must be a UUID' }]);
  });

  it("posts Stripe's actual fee of 173 fen over two lines by gross, and refunds reverse what was posted", async () => {
    const lines = [
      { productId: RABBIT, producerId: YANGGUANG, quantity: 1, unitPriceFen: 4_850, householdShareBps: 800 },
      { productId: RABBIT, producerId: YANGGUANG, quantity: 2, unitPriceFen: 4_850, householdShareBps: 800 },
    ];
    const fees = async (orderId: string) =>
      (
        await db.sql.query<{ line_id: string; fen: number }>(
          `select p.line_id, sum(case when p.side = 'credit' then p.fen else -p.fen end)::int as fen
             from posting p join journal_transaction t on t.id = p.transaction_id
            where t.order_id = $1 and p.role = 'fee' group by p.line_id`,
          [orderId],
        )
      ).rows.reduce<Record<string, number>>((out, r) => ({ ...out, [r.line_id]: r.fen }), {});
    const trialBalance = async () =>
      (
        await db.sql.query(
          `select sum(case when type in ('asset', 'expense') then balance_fen else -balance_fen end)::int as net from account_totals`,
        )
      ).rows[0].net as number;
    const consume = async (event: unknown) =>
      expect(await ledger.consumer.call('consumeOrderEvent', { event } as never, 'service')).toEqual({
        applied: true,
      });

    const sale = paidOrder({ lines, method: 'stripe', donationFen: 30, processorFeeFen: 173 });
    const [a, b] = sale.order.lines.map((l) => l.id) as [string, string];
    await consume(sale.paid());
    // 173 × 4,850 / 14,550 = 57.67 and 173 × 9,700 / 14,550 = 115.33: the larger remainder gets the fen.
    expect(await fees(sale.order.id)).toEqual({ [a]: 58, [b]: 115 });
    expect(await trialBalance()).toBe(0);
    // Refunding line b unit by unit reverses the fee posted on it (115, not a rate), to zero.
    await consume(sale.refund([{ index: 1, quantity: 1 }]));
    const half = (await fees(sale.order.id))[b]!;
    expect([57, 58]).toContain(half);
    await consume(sale.refund([{ index: 1, quantity: 1 }]));
    expect(await fees(sale.order.id)).toEqual({ [a]: 58, [b]: 0 });
    expect(await trialBalance()).toBe(0);

    // Without a balance transaction the configured rate applies (CARD_FEE_BPS, 340 by default).
    const atRate = paidOrder({ lines, method: 'stripe' });
    await consume(atRate.paid());
    const [c, d] = atRate.order.lines.map((l) => l.id) as [string, string];
    expect(await fees(atRate.order.id)).toEqual({ [c]: 165, [d]: 330 }); // 3.4 % of 4,850 and 9,700
    expect(await trialBalance()).toBe(0);
  });
});
