import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { ormOptions } from '@yugong/shared/orm';
import { until } from '@yugong/shared/testing';
import { migrations } from '../migrations';
import { verifyLedger } from '../src/chain/verify-ledger';
import { LEDGER_ENTITIES } from '../src/ledger.entities';
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

/** The partitions of `posting`, by name. */
async function partitionsOf(sql: { query: (text: string) => Promise<{ rows: { name: string }[] }> }) {
  const { rows } = await sql.query(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'posting'::regclass order by 1`,
  );
  return rows.map((r) => r.name);
}

/** `posting_y2026m12` for the month `k` months after this one in China's time. */
function partitionAhead(k: number): string {
  const china = new Date(Date.now() + 8 * 3_600_000);
  const month = new Date(Date.UTC(china.getUTCFullYear(), china.getUTCMonth() + k, 1));
  return `posting_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

const line = (lotId: string, quantity: number) => ({
  productId: RABBIT,
  producerId: YANGGUANG,
  quantity,
  unitPriceFen: 4_850,
  householdShareBps: 800,
  lotId,
});

describe('postings partitioned by month', () => {
  let region: TestRegion;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledger: BootedLedger;

  beforeAll(async () => {
    region = await startTestRegion('ledger_months');
    db = await ledgerDatabase('ledger_months');
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

  it('has this month and the next two made ahead', async () => {
    const names = await partitionsOf(db.sql);
    expect(names).toEqual(expect.arrayContaining([partitionAhead(0), partitionAhead(1), partitionAhead(2)]));
  });

  it('posts a sale of a month with no partition into a new one: balanced, traced and sealed', async () => {
    expect(await partitionsOf(db.sql)).not.toContain('posting_y2019m03');
    const march = paidOrder({ lines: [line(region.lot.id, 2)], paidAt: new Date('2019-03-10T02:00:00Z') });
    // 2019-03-31 16:30 UTC is 1 April 00:30 in China: the ledger's months are China's.
    const april = paidOrder({ lines: [line(region.lot.id, 1)], paidAt: new Date('2019-03-31T16:30:00Z') });
    for (const sale of [march, april]) {
      expect(await ledger.consumer.call('consumeOrderEvent', { event: sale.paid() }, 'service')).toEqual({
        applied: true,
      });
    }
    const { rows } = await db.sql.query(
      `select t.order_id, p.tableoid::regclass::text as partition, to_char(p.month, 'YYYY-MM-DD') as month, count(*)::int as n
         from posting p join journal_transaction t on t.id = p.transaction_id
        group by 1, 2, 3 order by 3`,
    );
    expect(rows).toEqual([
      { order_id: march.order.id, partition: 'posting_y2019m03', month: '2019-03-01', n: expect.any(Number) },
      { order_id: april.order.id, partition: 'posting_y2019m04', month: '2019-04-01', n: expect.any(Number) },
    ]);
    const b = await balancesOf(db.sql);
    expect(b['clearing:manual']).toBe(march.total + april.total);
    const trace = await ledger.client.call('traceOrder', { orderId: march.order.id }, OFFICER);
    expect(trace.netPaid!.fen).toBe(march.total);
    expect(trace.lines[0]!.households.reduce((s, h) => s + h.amount!.fen, 0)).toBe(
      Math.floor((9_700 * 800) / 10_000),
    );
    await until(
      async () => ((await ledger.client.call('getChainHead', {}, OFFICER)).sequence === 2 ? true : undefined),
      5_000,
      'both sales sealed',
    );
    expect(await verifyLedger(db.url, 0)).toMatchObject({ ok: true, checked: 2 });
  });

  it('traces an order paid at the end of one month and refunded in the next from both months', async () => {
    // Paid at 23:58 on 31 May in China; its sale at 23:59, its refund at 00:00 on 1 June.
    const sale = paidOrder({ lines: [line(region.lot.id, 3)], paidAt: new Date('2019-05-31T15:58:00Z') });
    for (const event of [sale.paid(), sale.refund([{ index: 0, quantity: 1 }])]) {
      expect(await ledger.consumer.call('consumeOrderEvent', { event }, 'service')).toEqual({
        applied: true,
      });
    }
    const { rows } = await db.sql.query(
      `select t.kind, p.tableoid::regclass::text as partition
         from posting p join journal_transaction t on t.id = p.transaction_id
        where t.order_id = $1 group by 1, 2 order by 2`,
      [sale.order.id],
    );
    expect(rows).toEqual([
      { kind: 'sale', partition: 'posting_y2019m05' },
      { kind: 'refund', partition: 'posting_y2019m06' },
    ]);
    const trace = await ledger.client.call('traceOrder', { orderId: sale.order.id }, OFFICER);
    expect(trace.netPaid!.fen).toBe(sale.total - 4_850);
    expect(trace.lines[0]!.refundedQuantity).toBe(1);
    // What stands of the households' share: the sale's, less the refund's (each by largest remainder).
    const sold = Math.floor((3 * 4_850 * 800) / 10_000);
    const household = trace.lines[0]!.householdAmount!.fen;
    expect(household).toBeLessThan(sold);
    expect(household).toBeGreaterThanOrEqual(Math.floor((2 * 4_850 * 800) / 10_000) - 1);
    expect(trace.lines[0]!.households.reduce((s, h) => s + h.amount!.fen, 0)).toBe(household);
  });

  it('refuses a posting in a month other than its transaction’s, and any write to a partition itself', async () => {
    const before = await balancesOf(db.sql);
    await db.sql.query(`select ledger_ensure_posting_month('2020-07-01')`);
    await expect(
      ownConnection().transactional(async (tx) => {
        const [t] = await tx.execute(
          `insert into journal_transaction (id, idempotency_key, kind, occurred_at, memo)
           values (gen_random_uuid(), 'test:misplaced', 'reversal', '2020-06-15T04:00:00Z', 'misplaced') returning id`,
        );
        await tx.execute(
          `insert into posting (transaction_id, account_id, side, fen, role, slot, month)
           select ?, id, case when code = 'clearing:manual' then 'credit' else 'debit' end, 100, 'clearing', 0, '2020-07-01'
             from account where code in ('clearing:manual', 'fund:relief')`,
          [t.id],
        );
      }),
    ).rejects.toThrow(/in a month other than its transaction/);
    for (const statement of [
      `insert into posting_y2019m03 (transaction_id, account_id, side, fen, role, slot, month)
       select transaction_id, account_id, side, fen, role, slot, month from posting_y2019m03 limit 1`,
      'update posting_y2019m03 set fen = fen + 1',
      'delete from posting_y2019m03',
      'truncate posting_y2019m03',
      `update posting set month = '2019-04-01' where month = '2019-03-01'`,
    ]) {
      await expect(ownConnection().execute(statement)).rejects.toThrow(/refused/);
    }
    expect(await balancesOf(db.sql)).toEqual(before);
  });

  it('moves the postings of a ledger written before months into their partitions, ids and balances kept', async () => {
    const old = await ledgerDatabase('ledger_months_before');
    const orm = await MikroORM.init(ormOptions({ url: old.url, entities: LEDGER_ENTITIES, migrations }));
    try {
      const migrator = orm.getMigrator();
      await migrator.up({ to: 'Migration20261202180000_payout_payees' });
      // Two sales as the journal stood before months: one in June 2020, one in January 2021.
      await old.sql.query(`
        insert into account (code, type, owner_kind, owner_id, currency, non_negative) values
          ('clearing:manual', 'asset', 'payment_clearing', 'manual', 'CNY', true),
          ('fund:relief', 'liability', 'relief_fund', null, 'CNY', true);
        begin;
        insert into journal_transaction (id, idempotency_key, kind, occurred_at, memo) values
          ('00000000-0000-4000-8000-000000000001', 'order:1:paid', 'sale', '2020-06-15T04:00:00Z', 'june'),
          ('00000000-0000-4000-8000-000000000002', 'order:2:paid', 'sale', '2020-12-31T17:00:00Z', 'january in China');
        insert into posting (transaction_id, account_id, side, fen, role, slot)
        select t.id, a.id, case when a.code = 'clearing:manual' then 'debit' else 'credit' end, f.fen, 'donation', 0
          from (values ('00000000-0000-4000-8000-000000000001'::uuid, 300), ('00000000-0000-4000-8000-000000000002'::uuid, 500)) f(id, fen)
          join journal_transaction t on t.id = f.id
          cross join account a;
        commit;`);
      const balances = await balancesOf(old.sql);
      const ids = (await old.sql.query('select id, transaction_id from posting order by id')).rows;

      await migrator.up();
      const { rows } = await old.sql.query(
        `select id, transaction_id, tableoid::regclass::text as partition from posting order by id`,
      );
      expect(rows.map((r) => ({ id: r.id, transaction_id: r.transaction_id }))).toEqual(ids);
      const monthOf: Record<string, string> = {
        '00000000-0000-4000-8000-000000000001': 'posting_y2020m06',
        '00000000-0000-4000-8000-000000000002': 'posting_y2021m01',
      };
      expect(rows.map((r) => r.partition)).toEqual(rows.map((r) => monthOf[r.transaction_id]));
      expect(await balancesOf(old.sql)).toEqual(balances);
      expect(await partitionsOf(old.sql)).toEqual(
        expect.arrayContaining([partitionAhead(0), partitionAhead(2)]),
      );
      // Written after the move: new ids, and the balances moved by the trigger again.
      await old.sql.query(`
        begin;
        insert into journal_transaction (id, idempotency_key, kind, occurred_at, memo) values
          ('00000000-0000-4000-8000-000000000003', 'order:3:paid', 'sale', '2021-01-05T04:00:00Z', 'after');
        insert into posting (transaction_id, account_id, side, fen, role, slot, month)
        select '00000000-0000-4000-8000-000000000003', a.id, case when a.code = 'clearing:manual' then 'debit' else 'credit' end,
               70, 'donation', 0, '2021-01-01'
          from account a;
        commit;`);
      expect((await balancesOf(old.sql))['fund:relief']).toBe(870);
      expect(Number((await old.sql.query('select max(id) as id from posting')).rows[0].id)).toBeGreaterThan(
        Number(ids[ids.length - 1].id),
      );
    } finally {
      await orm.close(true);
      await old.close();
    }
  });
});
