import * as grpc from '@grpc/grpc-js';
import { shuffled, type Sent } from '@yugong/shared/testing';
import type { orders } from '@yugong/contracts';
import { randomUUID } from 'node:crypto';
import { ChainService } from '../src/chain/chain.service';
import {
  balancesOf,
  bootLedger,
  ledgerDatabase,
  paidOrder,
  RABBIT,
  RUIXING,
  startTestRegion,
  YANGGUANG,
  type BootedLedger,
  type TestRegion,
} from './support/harness';

type Event = Sent<orders.OrderEvent>;

/** A day of sales: card and manual, lots and agreements, donations, partial and full refunds. */
function storyEvents(region: TestRegion, orderCount: number): Event[][] {
  const perOrder: Event[][] = [];
  for (let i = 0; i < orderCount; i++) {
    const sale = paidOrder({
      method: i % 2 === 0 ? 'stripe' : 'manual',
      donationFen: i % 3 === 0 ? 100 + i : 0,
      lines: [
        {
          productId: RABBIT,
          producerId: YANGGUANG,
          quantity: 2 + (i % 4),
          unitPriceFen: 4_850 + i,
          householdShareBps: 800,
          lotId: region.lot.id,
        },
        ...(i % 2 === 0
          ? [
              {
                productId: randomUUID(),
                producerId: RUIXING,
                quantity: 1 + (i % 3),
                unitPriceFen: 12_999,
                householdShareBps: 700,
              },
            ]
          : []),
      ],
    });
    const events = [sale.paid()];
    if (i % 3 === 1) {
      events.push(sale.refund([{ index: 0, quantity: 1 }]));
    }
    if (i % 5 === 2) {
      const first = sale.order.lines[0]!;
      events.push(sale.refund([{ index: 0, quantity: first.quantity }]));
    }
    if (i % 7 === 3) {
      events.push(sale.refund(sale.order.lines.map((l, index) => ({ index, quantity: l.quantity }))));
    }
    if (i === 4) {
      events.push(sale.receipt('order.payment_unmatched', 1_234));
    }
    perOrder.push(events);
  }
  const unfilled = paidOrder({
    lines: [
      { productId: RABBIT, producerId: YANGGUANG, quantity: 1, unitPriceFen: 4_850, householdShareBps: 800 },
    ],
  });
  perOrder.push([unfilled.receipt('order.payment_refunded', 4_850)]);
  return perOrder;
}

/** Delivers `events` with `inFlight` calls at once across `consumers`; an event out of order goes to the back of the queue. */
async function deliver(
  consumers: BootedLedger[],
  events: Event[],
  inFlight: number,
): Promise<{ applied: number; outOfOrder: number }> {
  const queue = [...events];
  let applied = 0;
  let outOfOrder = 0;
  let n = 0;
  const worker = async () => {
    while (queue.length > 0) {
      const event = queue.shift()!;
      const consumer = consumers[n++ % consumers.length]!;
      try {
        const res = await consumer.consumer.call('consumeOrderEvent', { event }, 'service');
        applied += res.applied ? 1 : 0;
      } catch (error) {
        if ((error as grpc.ServiceError).code !== grpc.status.FAILED_PRECONDITION) {
          throw error;
        }
        outOfOrder++;
        queue.push(event);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { applied, outOfOrder };
}

describe('order events delivered to two consumers at once', () => {
  let region: TestRegion;
  let shared: Awaited<ReturnType<typeof ledgerDatabase>>;
  let single: Awaited<ReturnType<typeof ledgerDatabase>>;
  const ledgers: BootedLedger[] = [];

  beforeAll(async () => {
    region = await startTestRegion('ledger_consumers');
    [shared, single] = await Promise.all([
      ledgerDatabase('ledger_consumers_a'),
      ledgerDatabase('ledger_consumers_b'),
    ]);
    const services = { catalog: region.catalogAddress, beneficiaries: region.beneficiariesAddress };
    ledgers.push(
      await bootLedger(shared.url, services),
      await bootLedger(shared.url, services),
      await bootLedger(single.url, services),
    );
  }, 120_000);

  afterAll(async () => {
    for (const l of ledgers) {
      await l.close();
    }
    await shared?.close();
    await single?.close();
    await region?.close();
  });

  it('duplicated and shuffled, end in the balances of one in-order run, each event applied once', async () => {
    const perOrder = storyEvents(region, 40);
    const inOrder = perOrder.flat();
    const copies = shuffled([...inOrder, ...inOrder, ...inOrder], 20_200_516);

    const one = await deliver([ledgers[2]!], inOrder, 1);
    expect(one).toEqual({ applied: inOrder.length, outOfOrder: 0 });
    const two = await deliver([ledgers[0]!, ledgers[1]!], copies, 12);
    expect(two.applied).toBe(inOrder.length);

    const expected = await balancesOf(single.sql);
    expect(await balancesOf(shared.sql)).toEqual(expected);
    // Suspense holds the unmatched payment; money received for an unfilled order went back.
    expect(expected['suspense:unmatched_payments']).toBe(1_234);
    expect(expected['buyers:refunds_due']).toBe(0);
    const count = async (sql: typeof shared.sql) =>
      (await sql.query('select count(*)::int as n from journal_transaction')).rows[0].n as number;
    expect(await count(shared.sql)).toBe(await count(single.sql));

    // The trial balance sums to zero, and both chains verify.
    const { rows } = await shared.sql.query(
      `select sum(case when type in ('asset', 'expense') then balance_fen else -balance_fen end)::int as net from account_totals`,
    );
    expect(rows[0].net).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const ledger of [ledgers[0]!, ledgers[2]!]) {
      const report = await ledger.app.get(ChainService).verify(0);
      expect(report).toMatchObject({ ok: true, unsealed: [] });
    }
  }, 120_000);
});
