import * as grpc from '@grpc/grpc-js';
import { catalog } from '@yugong/contracts';
import { errorDetails, errorFieldNames, expectRejection, type TestCaller } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  ADMIN,
  AUDITOR,
  certify,
  CONSUMER,
  OFFICER,
  staffOf,
  startTestCatalog,
  type BootedCatalog,
  type TestCatalog,
} from './support/harness';

const inSeconds = (s: number) => {
  const ms = Date.now() + s * 1_000;
  return { seconds: Math.floor(ms / 1_000), nanos: (ms % 1_000) * 1e6 };
};
/** The calendar date in China (UTC+8) `days` from now. */
const chinaDay = (days: number) =>
  new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

describe('household share history', () => {
  let running: TestCatalog;
  let sql: Client;
  let producerId: string;
  let productId: string;

  /** HoldStock comes from orders, as in production; the rest from the gateway. */
  const call: BootedCatalog['client']['call'] = (method, request, caller, options) =>
    running.client.call(method, request, caller, {
      deadlineMs: 20_000,
      from: method === 'holdStock' ? 'orders' : 'gateway',
      ...options,
    });

  beforeAll(async () => {
    running = await startTestCatalog('catalog_share');
    sql = running.sql;
    const created = await call(
      'createProducer',
      {
        kind: catalog.ProducerKind.PRODUCER_KIND_COOPERATIVE,
        legalName: '济源市测试核桃专业合作社',
        creditCode: '91350100M000100Y43',
        town: '下冶镇',
        village: '石槽沟村',
        householdShareBps: 1500,
      },
      OFFICER,
    );
    producerId = created.producer.id;
    await call(
      'setProducerStatus',
      { id: producerId, status: catalog.ProducerStatus.PRODUCER_STATUS_VERIFIED },
      OFFICER,
    );
    const product = await call(
      'createProduct',
      {
        producerId,
        nameZh: '核桃仁',
        category: 'nuts',
        unit: 'bag',
        price: { fen: 4_500, currency: 'CNY' },
      },
      OFFICER,
    );
    productId = product.product.id;
    await certify(running.client, productId);
    await call(
      'createLot',
      { productId, lotCode: 'W-1', producedOn: '2026-01-01', quantity: 1_000 },
      OFFICER,
    );
  });

  afterAll(async () => {
    await running?.close();
  });

  const set = (request: Partial<catalog.SetHouseholdShareRequest>, caller: TestCaller | null = OFFICER) =>
    call(
      'setHouseholdShare',
      { producerId, basisPoints: 0, effectiveFrom: '', reason: '', ...request },
      caller,
    );

  async function heldShare(): Promise<number> {
    const res = await call(
      'holdStock',
      { orderId: randomUUID(), lines: [{ productId, quantity: 1 }], expiresAt: inSeconds(900) },
      CONSUMER,
    );
    expect(res.held).toBe(true);
    return res.lines[0].householdShareBps;
  }

  it('starts the history with the share given at registration, recorded by the officer', async () => {
    const { producer } = await call('getProducer', { id: producerId }, OFFICER);
    expect(producer.householdShareBps).toBe(1500);
    expect(producer.householdShareHistory).toEqual([
      expect.objectContaining({
        basisPoints: 1500,
        reason: 'share at registration',
        changedBy: OFFICER.userId,
      }),
    ]);
    expect(producer.householdShareHistory[0].fromBasisPoints).toBeUndefined();
  });

  it('changes the share from now on: checkout snapshots the new one, lines sold before keep theirs', async () => {
    const before = randomUUID();
    await call(
      'holdStock',
      { orderId: before, lines: [{ productId, quantity: 2 }], expiresAt: inSeconds(900) },
      CONSUMER,
    );
    const { producer } = await set({
      basisPoints: 2000,
      effectiveFrom: new Date().toISOString(),
      reason: 'dividend agreements renewed',
    });
    expect(producer.householdShareBps).toBe(2000);
    expect(producer.householdShareHistory.map((s) => [s.fromBasisPoints, s.basisPoints, s.reason])).toEqual([
      [undefined, 1500, 'share at registration'],
      [1500, 2000, 'dividend agreements renewed'],
    ]);
    expect(await heldShare()).toBe(2000);
    const { rows } = await sql.query<{ share: number }>(
      `select (snapshot->>'householdShareBps')::int as share from stock_hold where order_id = $1`,
      [before],
    );
    expect(rows.map((r) => r.share)).toEqual([1500]);
  });

  it('schedules a change for a later date: in history at once, in checkout only from then on', async () => {
    const tomorrow = chinaDay(1);
    const { producer } = await set({ basisPoints: 2500, effectiveFrom: tomorrow, reason: 'from tomorrow' });
    expect(producer.householdShareBps).toBe(2000);
    const step = producer.householdShareHistory.find((s) => s.reason === 'from tomorrow')!;
    expect(step).toMatchObject({ fromBasisPoints: 2000, basisPoints: 2500 });
    expect(new Date(step.effectiveFrom!.seconds * 1000).toISOString()).toBe(
      new Date(`${tomorrow}T00:00:00+08:00`).toISOString(),
    );
    expect(await heldShare()).toBe(2000);
    // The step begins: move it to now, as the clock would.
    await sql.query(`update household_share set effective_from = now() where id = $1`, [step.id]);
    expect(await heldShare()).toBe(2500);
    expect((await call('getProducer', { id: producerId }, CONSUMER)).producer.householdShareBps).toBe(2500);
  });

  it('records nothing when asked again for the share in force from that instant (PUT is idempotent)', async () => {
    const request = { basisPoints: 3000, effectiveFrom: chinaDay(30), reason: 'next month' };
    const first = await set(request);
    const again = await set(request);
    expect(again.producer.householdShareHistory).toEqual(first.producer.householdShareHistory);
    const { rows } = await sql.query(
      `select count(*)::int as n from household_share where producer_id = $1 and reason = 'next month'`,
      [producerId],
    );
    expect(rows[0].n).toBe(1);
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const steps = async () =>
      (await sql.query(`select count(*)::int as n from household_share where producer_id = $1`, [producerId]))
        .rows[0].n as number;
    const before = await steps();
    const cases: [Partial<catalog.SetHouseholdShareRequest>, string[]][] = [
      [{ basisPoints: 10_001, effectiveFrom: chinaDay(2), reason: 'x' }, ['basisPoints']],
      [{ basisPoints: -1, effectiveFrom: chinaDay(2), reason: 'x' }, ['basisPoints']],
      [{ basisPoints: 100, effectiveFrom: chinaDay(-1), reason: 'x' }, ['effectiveFrom']],
      [
        { basisPoints: 100, effectiveFrom: new Date(Date.now() - 3_600_000).toISOString(), reason: 'x' },
        ['effectiveFrom'],
      ],
      [{ basisPoints: 100, effectiveFrom: '2027-02-30', reason: 'x' }, ['effectiveFrom']],
      [{ basisPoints: 100, effectiveFrom: '2027-13-01', reason: 'x' }, ['effectiveFrom']],
      [{ basisPoints: 100, effectiveFrom: 'next tuesday', reason: 'x' }, ['effectiveFrom']],
      [{ basisPoints: 100, effectiveFrom: '2030-01-01T00:00:00', reason: 'x' }, ['effectiveFrom']],
      [{ basisPoints: 100, effectiveFrom: chinaDay(2), reason: '  ' }, ['reason']],
      [
        { producerId: 'not-a-uuid', basisPoints: 100, effectiveFrom: chinaDay(2), reason: 'x' },
        ['producerId'],
      ],
    ];
    for (const [request, fields] of cases) {
      const error = await expectRejection(set(request), grpc.status.INVALID_ARGUMENT);
      expect(errorFieldNames(error)).toEqual(fields);
    }
    await expectRejection(
      set({ producerId: randomUUID(), basisPoints: 100, effectiveFrom: chinaDay(2), reason: 'x' }),
      grpc.status.NOT_FOUND,
    );
    expect(await steps()).toBe(before);
  });

  it('lets only the relief office and admins change it; others see no officer ids in the history', async () => {
    const request = { basisPoints: 1234, effectiveFrom: chinaDay(40), reason: 'roles' };
    for (const caller of [CONSUMER, AUDITOR, staffOf(9, producerId)]) {
      await expectRejection(set(request, caller), grpc.status.PERMISSION_DENIED);
    }
    await expectRejection(set(request, null), grpc.status.UNAUTHENTICATED);
    await set(request, ADMIN);
    const seen = await call('getProducer', { id: producerId }, CONSUMER);
    expect(seen.producer.householdShareHistory.length).toBeGreaterThan(2);
    expect(seen.producer.householdShareHistory.every((s) => s.changedBy === '')).toBe(true);
    const audited = await call('getProducer', { id: producerId }, AUDITOR);
    expect(audited.producer.householdShareHistory.find((s) => s.reason === 'roles')?.changedBy).toBe(
      ADMIN.userId,
    );
  });

  it('holds one step per producer and instant under concurrent officers; PostgreSQL refuses the rest', async () => {
    const at = `${chinaDay(60)}T09:00:00+08:00`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        set({ basisPoints: 4000 + i, effectiveFrom: at, reason: `race ${i}` }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as grpc.ServiceError] : []));
    expect(won).toHaveLength(1);
    expect(lost.every((e) => e.code === grpc.status.ALREADY_EXISTS)).toBe(true);
    expect(lost.map((e) => errorDetails(e).fields.map((f) => f.field))).toEqual(
      lost.map(() => ['effectiveFrom']),
    );
    const { rows } = await sql.query(
      `select count(*)::int as n from household_share where producer_id = $1 and effective_from = $2`,
      [producerId, at],
    );
    expect(rows[0].n).toBe(1);
  });

  it('refuses a share out of range or a second step at one instant in PostgreSQL itself', async () => {
    const insert = (bps: number, at: string) =>
      sql.query(
        `insert into household_share (id, producer_id, basis_points, effective_from, reason, created_at)
         values (gen_random_uuid(), $1, $2, $3, 'by hand', now())`,
        [producerId, bps, at],
      );
    await expect(insert(10_001, '2031-01-01T00:00:00Z')).rejects.toThrow(/household_share_range/);
    await expect(insert(-5, '2031-01-01T00:00:00Z')).rejects.toThrow(/household_share_range/);
    await insert(100, '2031-01-01T00:00:00Z');
    await expect(insert(200, '2031-01-01T00:00:00Z')).rejects.toThrow(
      /household_share_producer_effective_from/,
    );
  });
});
