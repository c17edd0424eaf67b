import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { MikroORM } from '@mikro-orm/postgresql';
import { AssertionSigner, AssertionVerifier, parsePublicKeys, privateKeyFrom } from '@yugong/shared/auth';
import { ormOptions, migrate } from '@yugong/shared/orm';
import { createTestDatabase, freePort, TEST_PUBLIC_KEYS, TEST_SERVICE_KEYS } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Client } from 'pg';
import { migrations } from '../migrations';
import { ORDERS_ENTITIES } from '../src/orders.entities';
import { grpcEventConsumer } from '../src/outbox/order-events.client';
import { OutboxRelay, type RelaySettings } from '../src/outbox/outbox.relay';
import { OutboxRepository } from '../src/outbox/outbox.repository';

const PROTO_ROOT = path.resolve(__dirname, '../../../proto');
const ordersSigner = new AssertionSigner('orders', privateKeyFrom(TEST_SERVICE_KEYS.orders.privateKey));
const ledgerVerifier = new AssertionVerifier('ledger', parsePublicKeys(TEST_PUBLIC_KEYS));
const SETTINGS: RelaySettings = {
  batch: 50,
  deadlineMs: 5_000,
  backoffMs: 60_000,
  maxBackoffMs: 600_000,
  maxAttempts: 5,
};

interface Received {
  eventId: string;
  orderId: string;
  sequence: number;
  type: string;
  status: string;
}

/**
 * A consumer as the ledger will be: it applies each event id once, and records every delivery
 * (duplicates included) so the test can count them.
 */
async function startSubscriber() {
  const definition = protoLoader.loadSync(path.join(PROTO_ROOT, 'yugong/orders/v1/orders.proto'), {
    includeDirs: [PROTO_ROOT],
    longs: Number,
    enums: String,
    defaults: true,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pkg = grpc.loadPackageDefinition(definition) as any;
  const deliveries: Received[] = [];
  const applied = new Map<string, Received>();
  const state = { failNext: 0, delayMs: 0 };
  const server = new grpc.Server();
  server.addService(pkg.yugong.orders.v1.OrderEventsConsumerService.service, {
    ConsumeOrderEvent: (
      call: grpc.ServerUnaryCall<{ event: Received & { order: { status: string } } }, unknown>,
      cb: grpc.sendUnaryData<{ applied: boolean }>,
    ) => {
      // The ledger's own check: signed by orders, for the ledger, for this method, as itself.
      try {
        const who = ledgerVerifier.verify(
          String(call.metadata.get('x-service-assertion')[0] ?? ''),
          call.getPath(),
        );
        if (who.service !== 'orders' || who.principal !== 'service') {
          throw new Error(`${who.service}/${who.principal}`);
        }
      } catch (error) {
        cb({ code: grpc.status.UNAUTHENTICATED, details: (error as Error).message });
        return;
      }
      const { event } = call.request;
      setTimeout(() => {
        if (state.failNext > 0) {
          state.failNext--;
          cb({ code: grpc.status.UNAVAILABLE, details: 'ledger is restarting' });
          return;
        }
        const received = {
          eventId: event.eventId,
          orderId: event.orderId,
          sequence: Number(event.sequence),
          type: event.type,
          status: event.order.status,
        };
        deliveries.push(received);
        const fresh = !applied.has(event.eventId);
        if (fresh) {
          applied.set(event.eventId, received);
        }
        cb(null, { applied: fresh });
      }, state.delayMs);
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return { url: `127.0.0.1:${port}`, deliveries, applied, state, stop: () => server.forceShutdown() };
}

describe(OutboxRelay.name, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let orm: MikroORM;
  let sql: Client;
  let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('orders_outbox');
    orm = await MikroORM.init(ormOptions({ url: db.url, entities: ORDERS_ENTITIES, migrations }));
    await migrate(orm, db.url);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    subscriber = await startSubscriber();
  });

  afterAll(async () => {
    relays.forEach((relay) => relay.close());
    subscriber?.stop();
    await sql?.end();
    await orm?.close(true);
    await db?.drop();
  });

  beforeEach(async () => {
    await sql.query('delete from outbox_event');
    subscriber.deliveries.length = 0;
    subscriber.applied.clear();
    subscriber.state.failNext = 0;
    subscriber.state.delayMs = 0;
  });

  function relay(afterDeliver?: (eventId: string) => void): OutboxRelay {
    const sut = new OutboxRelay(
      orm.em,
      new OutboxRepository(),
      [grpcEventConsumer(`ledger=${subscriber.url}`, ordersSigner)],
      SETTINGS,
      afterDeliver,
    );
    relays.push(sut);
    return sut;
  }

  /** Writes events for `orders` orders, `perOrder` each (paid, refunded, refunded…), interleaved. */
  async function writeEvents(orders: number, perOrder: number): Promise<string[]> {
    const ids = Array.from({ length: orders }, () => randomUUID());
    for (let sequence = 1; sequence <= perOrder; sequence++) {
      for (const orderId of ids) {
        const type = sequence === 1 ? 'order.paid' : 'order.refunded';
        const order = {
          id: orderId,
          buyerId: randomUUID(),
          status: sequence === 1 ? 'paid' : 'refunded',
          currency: 'CNY',
          subtotalFen: 1_000,
          donationFen: 0,
          totalFen: 1_000,
          lines: [],
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          expiresAt: new Date().toISOString(),
        };
        await sql.query(
          `insert into outbox_event (event_id, type, order_id, sequence, payload, occurred_at, attempts, next_attempt_at)
           values ($1, $2, $3, $4, $5, now(), 0, now())`,
          [randomUUID(), type, orderId, sequence, JSON.stringify({ order })],
        );
      }
    }
    return ids;
  }

  async function drain(...sut: OutboxRelay[]): Promise<void> {
    for (let pass = 0; pass < 1_000; pass++) {
      const delivered = await Promise.all(sut.map((r) => r.relayOnce()));
      if (delivered.every((n) => n === 0)) {
        return;
      }
    }
    throw new Error('the relay did not drain');
  }

  async function undelivered(): Promise<number> {
    const { rows } = await sql.query<{ n: number }>(
      'select count(*)::int as n from outbox_event where delivered_at is null',
    );
    return rows[0].n;
  }

  it('delivers every event once, each order’s events in their sequence', async () => {
    const orders = await writeEvents(3, 3);
    await drain(relay());

    expect(await undelivered()).toBe(0);
    expect(subscriber.deliveries).toHaveLength(9);
    for (const orderId of orders) {
      const mine = subscriber.deliveries.filter((d) => d.orderId === orderId);
      expect(mine.map((d) => d.sequence)).toEqual([1, 2, 3]);
      expect(mine.map((d) => d.status)).toEqual([
        'ORDER_STATUS_PAID',
        'ORDER_STATUS_REFUNDED',
        'ORDER_STATUS_REFUNDED',
      ]);
    }
  });

  it('delivers again what a relay killed between delivery and marking had sent; the consumer applies it once', async () => {
    await writeEvents(4, 1);
    const [victim] = (await sql.query<{ event_id: string }>('select event_id from outbox_event order by id'))
      .rows;
    const crashing = relay((eventId) => {
      if (eventId === victim.event_id) {
        throw new Error('killed after delivering, before marking');
      }
    });

    await expect(crashing.relayOnce()).rejects.toThrow('killed');
    expect(await undelivered()).toBe(4); // the whole pass rolled back: nothing marked
    await drain(relay());

    expect(await undelivered()).toBe(0);
    const victimDeliveries = subscriber.deliveries.filter((d) => d.eventId === victim.event_id);
    expect(victimDeliveries).toHaveLength(2);
    expect(subscriber.applied.size).toBe(4);
  });

  it('never lets two relays claim the same row', async () => {
    await writeEvents(200, 1);
    subscriber.state.delayMs = 1;

    await drain(relay(), relay());

    expect(await undelivered()).toBe(0);
    expect(subscriber.deliveries).toHaveLength(200);
    expect(new Set(subscriber.deliveries.map((d) => d.eventId)).size).toBe(200);
  });

  it('backs off after a failed delivery, holding back the order’s later events, and parks an event after the last attempt', async () => {
    const [orderId] = await writeEvents(1, 2);
    subscriber.state.failNext = 1;
    const sut = relay();

    expect(await sut.relayOnce()).toBe(0);
    const { rows } = await sql.query(
      `select sequence, attempts, last_error is not null as failed, next_attempt_at > now() + interval '50 seconds' as deferred
         from outbox_event where order_id = $1 order by sequence`,
      [orderId],
    );
    expect(rows).toEqual([
      { sequence: 1, attempts: 1, failed: true, deferred: true },
      { sequence: 2, attempts: 0, failed: false, deferred: false },
    ]);
    expect(await sut.relayOnce()).toBe(0); // sequence 2 waits behind sequence 1

    await sql.query('update outbox_event set next_attempt_at = now()');
    await drain(sut);
    expect(subscriber.deliveries.map((d) => d.sequence)).toEqual([1, 2]);

    await writeEvents(1, 1);
    subscriber.state.failNext = SETTINGS.maxAttempts;
    for (let attempt = 0; attempt < SETTINGS.maxAttempts; attempt++) {
      await sql.query('update outbox_event set next_attempt_at = now() where delivered_at is null');
      await sut.relayOnce();
    }
    const parked = await sql.query(
      `select attempts, next_attempt_at = 'infinity'::timestamptz as parked from outbox_event where delivered_at is null`,
    );
    expect(parked.rows).toEqual([{ attempts: SETTINGS.maxAttempts, parked: true }]);
  });
});
