import { orders as contract } from '@yugong/contracts';
import {
  createTestDatabase,
  describeWithRedis,
  FakeStripe,
  flushRedisPrefix,
  freePort,
  TEST_SERVICE_KEYS,
  testRedisUrl,
  uniqueRedisPrefix,
  type FakeStripeEvent,
  type FakeStripeRequest,
  until,
} from '@yugong/shared/testing';
import { Redis } from 'ioredis';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
// The launcher's service table: orders gets the environment `npm start` gives it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { serviceEnv, type LaunchContext } from '../../../tools/runtime/services.mjs';
// The gateway's own mapping of a verified Stripe event, so these events reach orders as they do deployed.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { toApplyPaymentEventRequest } from '../../gateway/src/payments/stripe-webhook';
import { consumer, ordersClient, startTestCatalog, type OrdersClient } from './support/harness';

/**
 * The orders service as deployed (compiled with SWC, `node main.js`) is killed with SIGKILL at a
 * random point of a card checkout and its payment, 20 times; after each kill it is restarted and
 * the buyer repeats the checkout with the same Idempotency-Key, as a client does. At the end,
 * after the reconciler, Stripe (a fake) and the databases must agree: no paid PaymentIntent
 * without its paid order, no order lost or paid twice, and the stock committed for paid orders.
 */

const ROOT = path.resolve(__dirname, '../../..');
const RUNS = 20;
/** Seed of the kill delays and of which webhooks get lost: the same on every run of this file. */
const SEED = 20_261_202;
const STOCK = 200;

/** A 32-bit linear congruential generator (Numerical Recipes' constants), uniform in [0, 1). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Compiles apps/orders and libs as `npm run build` does (tools/runtime/build.mjs), into `out`. */
function compile(out: string): Promise<void> {
  const cli = path.join(ROOT, 'node_modules/@swc/cli/bin/swc.js');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, 'apps/orders', 'libs', '-d', path.relative(ROOT, out), '--quiet'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`swc failed (exit ${code}):\n${output.trim()}`));
        return;
      }
      // The contracts resolve proto/ beside the compiled libs, as in dist/.
      fs.cpSync(path.join(ROOT, 'proto'), path.join(out, 'proto'), { recursive: true });
      resolve();
    });
  });
}

/** Stripe's form encoding of decoded parameters (`a[b]=x`), the inverse of the fake's decoding. */
function formOf(value: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      formOf(child, prefix ? `${prefix}[${key}]` : key, out);
    }
  } else {
    out.push([prefix, String(value)]);
  }
  return out;
}

const isCreate = (r: FakeStripeRequest) =>
  r.method === 'POST' && r.path === '/v1/payment_intents' && r.status === 200 && !r.replayed;

type Phase =
  | 'no order, no hold'
  | 'hold, no order'
  | 'order, no PaymentIntent'
  | 'PaymentIntent not stored on the order'
  | 'PaymentIntent stored, not paid'
  | 'paid at Stripe, order not paid'
  | 'order paid';

interface Run {
  index: number;
  buyer: ReturnType<typeof consumer>;
  key: string;
  quantity: number;
  killAfterMs: number;
  /** The order the first checkout answered before the kill, if it did. */
  firstAnswer?: string;
  /** How long after the sequence began the first checkout answered. */
  checkoutMs?: number;
  /** Where the kill left things, read from the databases and Stripe while orders was down. */
  phase?: Phase;
  /** Stripe had the payment when orders went down. */
  paidAtKill?: boolean;
  /** The order the retried checkout answered. */
  retryAnswer?: string;
  /** A checkout lock of the killed process was left in Redis with no order behind it. */
  staleLock?: boolean;
  /** How the payment reached orders after the restart. */
  after?: 'already paid' | 'webhook' | 'webhook redelivered' | 'webhook lost';
}

describeWithRedis('orders killed at random points of checkout and payment', () => {
  const out = path.join(ROOT, 'tmp', `crash-${process.pid}-${randomBytes(4).toString('hex')}`);
  const prefix = uniqueRedisPrefix('crash_recovery');
  const children = new Set<ChildProcess>();
  let catalog: Awaited<ReturnType<typeof startTestCatalog>>;
  let ordersDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let fake: FakeStripe;
  let sql: Client;
  let catalogSql: Client;
  let redis: Redis;
  let port: number;
  let producerId: string;
  let productId: string;
  /** The running orders process and a client of it. */
  let child: ChildProcess | undefined;
  let output: string[] = [];
  let stub: OrdersClient | undefined;
  let call: OrdersClient['call'];

  beforeAll(async () => {
    await compile(out);
    fake = await FakeStripe.start();
    catalog = await startTestCatalog('crash_orders');
    ordersDb = await createTestDatabase('crash_orders');
    sql = new Client({ connectionString: ordersDb.url });
    await sql.connect();
    catalogSql = catalog.sql;
    redis = new Redis(testRedisUrl()!, { maxRetriesPerRequest: 2 });
    port = await freePort();
    producerId = await catalog.producer();
    productId = await catalog.product(producerId, STOCK);
  }, 120_000);

  afterAll(async () => {
    for (const running of children) {
      running.kill('SIGKILL');
    }
    stub?.close();
    await sql?.end();
    if (redis) {
      await flushRedisPrefix(redis, prefix);
      redis.disconnect();
    }
    await catalog?.close();
    await ordersDb?.drop();
    await fake?.close();
    fs.rmSync(out, { recursive: true, force: true });
  }, 60_000);

  /** Where orders runs: its database, the tests' Redis under this file's prefix, the test catalog. */
  function launchContext(): LaunchContext {
    return {
      databaseUrl: () => ordersDb.url,
      redisUrl: testRedisUrl(),
      redisKeyPrefix: prefix,
      secrets: {
        SERVICE_KEYS: TEST_SERVICE_KEYS,
        // Orders signs no tokens and keeps no personal data.
        JWT_SECRET: '',
        PII_ENCRYPTION_KEYS: '',
        PII_ACTIVE_KEY_ID: '',
        PII_HASH_KEY: '',
        LABEL_TAG_KEY: '',
      },
      // Orders calls catalog only.
      ports: {
        orders: port,
        catalog: Number(catalog.address.split(':')[1]),
        beneficiaries: 0,
        ledger: 0,
        licensing: 0,
        gateway: 0,
      },
      logLevel: 'warn',
      host: '127.0.0.1',
      demoPassword: '',
    };
  }

  /** Starts `node main.js` on the one port every restart reuses; resolves once its gRPC answers. */
  async function startOrders(): Promise<void> {
    output = [];
    const started = spawn(process.execPath, [path.join(out, 'apps/orders/src/main.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'],
        ...serviceEnv('orders', launchContext(), {
          // Its own orders only: the demo sales would count among the paid ones.
          SEED_DEMO: 'false',
          GRPC_DEADLINE_MS: '2000',
          STRIPE_SECRET_KEY: fake.secretKey,
          STRIPE_API_BASE: fake.url,
          RECONCILE_AFTER_MS: '1000',
          RECONCILE_INTERVAL_MS: '200',
        }),
      },
    });
    children.add(started);
    started.once('exit', () => children.delete(started));
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      output = output.slice(-50);
    };
    started.stdout!.on('data', keep);
    started.stderr!.on('data', keep);
    child = started;
    stub?.close();
    // A short reconnect back-off: the channel is asked before the server listens.
    const client = ordersClient(`127.0.0.1:${port}`, {
      deadlineMs: 5_000,
      channelOptions: { 'grpc.initial_reconnect_backoff_ms': 20, 'grpc.max_reconnect_backoff_ms': 50 },
    });
    stub = client;
    call = client.call;
    await until(
      async () => {
        if (started.exitCode !== null) {
          throw new Error(`orders exited with ${started.exitCode}:\n${output.join('')}`);
        }
        return call('getCart', { cartToken: '' }, consumer(), { deadlineMs: 500 }).then(
          () => true,
          () => undefined,
        );
      },
      20_000,
      'orders answering gRPC',
    );
  }

  async function kill(): Promise<void> {
    const running = child!;
    if (running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    }
  }

  const apply = (event: FakeStripeEvent) =>
    call(
      'applyPaymentEvent',
      toApplyPaymentEventRequest(event as unknown as Parameters<typeof toApplyPaymentEventRequest>[0]),
      'service', // the gateway's webhook, acting for itself once Stripe's signature checks out
    );

  const intentIds = new Map<string, string>();
  /**
   * The id of the PaymentIntent a logged create made: Stripe answers a repeat of an idempotent
   * request with the stored answer and creates nothing (checked: `Idempotent-Replayed`).
   */
  async function intentOf(create: FakeStripeRequest): Promise<string> {
    const known = intentIds.get(create.idempotencyKey!);
    if (known) {
      return known;
    }
    const res = await fetch(`${fake.url}/v1/payment_intents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${fake.secretKey}`,
        'idempotency-key': create.idempotencyKey!,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(formOf(create.params)).toString(),
    });
    if (res.headers.get('idempotent-replayed') !== 'true') {
      throw new Error(`the replay of ${create.idempotencyKey} was not a replay (${res.status})`);
    }
    const id = ((await res.json()) as { id: string }).id;
    intentIds.set(create.idempotencyKey!, id);
    return id;
  }

  const piStatus = (id: string) => fake.paymentIntent(id)['status'] as string;
  const holdOrders = async () =>
    new Set(
      (await catalogSql.query<{ order_id: string }>('select distinct order_id from stock_hold')).rows.map(
        (r) => r.order_id,
      ),
    );

  /**
   * One checkout by card and its payment: the customer pays at Stripe as soon as the PaymentIntent
   * exists (before the checkout answers, the worst case) and Stripe's webhook is delivered to
   * orders. Resolves when all of it is done or has failed; `killAt` (ms after the checkout call)
   * kills orders meanwhile. Returns how long the sequence took.
   */
  async function sequence(run: Run, killAt?: number): Promise<number> {
    await call('addCartItem', { productId, quantity: run.quantity }, run.buyer);
    const logFrom = fake.requests.length;
    let killed = false;
    let checkoutDone = false;
    const started = performance.now();
    const checkout = call(
      'checkout',
      { idempotencyKey: run.key, paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_STRIPE },
      run.buyer,
    )
      .then((res) => {
        run.firstAnswer = res.order.id;
        run.checkoutMs = performance.now() - started;
      })
      .catch(() => undefined)
      .finally(() => (checkoutDone = true));
    const customer = (async () => {
      for (;;) {
        const create = fake.requests.slice(logFrom).find(isCreate);
        if (create) {
          await apply(fake.succeed(await intentOf(create)));
          return;
        }
        if (killed && checkoutDone) {
          return; // orders died before asking Stripe
        }
        if (!killed && checkoutDone && !run.firstAnswer) {
          throw new Error('the checkout failed without a kill');
        }
        await sleep(1);
      }
    })().catch((error: unknown) => {
      if (!killed) {
        throw error;
      }
    });
    const killer =
      killAt === undefined
        ? Promise.resolve()
        : sleep(killAt).then(async () => {
            killed = true;
            await kill();
          });
    await Promise.all([checkout, customer, killer]);
    return performance.now() - started;
  }

  /** Where the kill left the run, from the databases and Stripe while orders is down. */
  async function phaseOf(run: Run, holdsBefore: Set<string>, logFrom: number): Promise<Phase> {
    const { rows } = await sql.query<{ id: string; status: string; payment_reference: string | null }>(
      'select id, status, payment_reference from customer_order where buyer_id = $1',
      [run.buyer.userId],
    );
    const order = rows[0];
    const create = fake.requests.slice(logFrom).find(isCreate);
    run.paidAtKill = create ? piStatus(await intentOf(create)) === 'succeeded' : false;
    if (!order) {
      const newHolds = [...(await holdOrders())].filter((id) => !holdsBefore.has(id));
      return newHolds.length > 0 ? 'hold, no order' : 'no order, no hold';
    }
    if (order.status === 'paid') {
      return 'order paid';
    }
    if (!create) {
      return 'order, no PaymentIntent';
    }
    if (!order.payment_reference) {
      return 'PaymentIntent not stored on the order';
    }
    return run.paidAtKill ? 'paid at Stripe, order not paid' : 'PaymentIntent stored, not paid';
  }

  it(`loses no order and no payment over ${RUNS} kills, after restart and the reconciler`, async () => {
    const began = performance.now();
    const rand = lcg(SEED);
    const key = () => randomBytes(12).toString('base64url');
    const newRun = (index: number): Run => ({
      index,
      buyer: consumer(),
      key: key(),
      quantity: index % 2 === 0 ? 1 : 2,
      killAfterMs: 0,
    });
    await startOrders();
    const bootMs = performance.now() - began;

    // Two sequences without a kill: a warm-up, then one to measure how long the sequence takes.
    const calibration = [newRun(-2), newRun(-1)];
    await sequence(calibration[0]);
    const spanMs = await sequence(calibration[1]);
    for (const run of calibration) {
      run.retryAnswer = run.firstAnswer;
      run.phase = 'order paid';
    }
    // Kills spread over the sequence and a little past it (then nothing is left to interrupt);
    // every other one within the checkout itself, whose phases (before the hold, a hold without
    // its order, an order without its PaymentIntent…) a fast machine passes in a small part of it.
    const window = Math.min(Math.max(spanMs * 1.2, 30), 500);
    const checkoutWindow = Math.min(Math.max((calibration[1].checkoutMs ?? spanMs) * 1.2, 10), window);

    const runs: Run[] = [];
    for (let index = 0; index < RUNS; index++) {
      const run = newRun(index);
      run.killAfterMs = Math.round(rand() * (index % 2 === 0 ? checkoutWindow : window));
      const lost = rand() < 0.5;
      runs.push(run);
      const holdsBefore = await holdOrders();
      const logFrom = fake.requests.length;
      await sequence(run, run.killAfterMs);
      run.phase = await phaseOf(run, holdsBefore, logFrom);

      await startOrders();
      const lock = `${prefix}checkout:${run.buyer.userId}:${run.key}`;
      if (await redis.exists(lock)) {
        // The killed checkout's lock lapses by itself after 30 s; a replay answers an existing order
        // before looking at it, so it only stands in the way when the order was never written.
        run.staleLock = run.phase === 'no order, no hold' || run.phase === 'hold, no order';
        await redis.del(lock);
      }
      // The buyer repeats the checkout with the same key, as a client does after an error.
      const retried = await call(
        'checkout',
        { idempotencyKey: run.key, paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_STRIPE },
        run.buyer,
      ).catch((error: Error) => {
        throw new Error(`run ${index} (${run.phase}): the repeated checkout failed: ${error.message}`);
      });
      const order = retried.order;
      run.retryAnswer = order.id;
      if (order.status === 'ORDER_STATUS_PAID') {
        run.after = 'already paid';
        continue;
      }
      expect(order.status).toBe('ORDER_STATUS_PENDING_PAYMENT');
      const reference = order.payment.reference;
      expect(reference).toMatch(/^pi_/);
      if (piStatus(reference) !== 'succeeded') {
        const event = fake.succeed(reference);
        // Half the time its webhook is lost: the reconciler has to find the payment.
        if (!lost) {
          await apply(event);
        }
        run.after = lost ? 'webhook lost' : 'webhook';
      } else {
        // Paid before the crash, its webhook died with the process; Stripe delivers it again, or not.
        const event = [...fake.events]
          .reverse()
          .find(
            (e) =>
              e.type === 'payment_intent.succeeded' && (e.data.object as { id?: string }).id === reference,
          )!;
        if (!lost) {
          await apply(event);
        }
        run.after = lost ? 'webhook lost' : 'webhook redelivered';
      }
    }

    // The reconciler of the last process pays what lost webhooks left unpaid.
    const all = [...calibration, ...runs];
    const buyers = all.map((r) => r.buyer.userId);
    const reconcileStarted = performance.now();
    await until(
      async () => {
        const { rows } = await sql.query<{ n: string }>(
          `select count(*) as n from customer_order where buyer_id = any($1::uuid[]) and status = 'paid'`,
          [buyers],
        );
        return Number(rows[0].n) >= all.length ? true : undefined;
      },
      15_000,
      'every order paid',
    ).catch(() => undefined); // the assertions below say what is missing
    const reconcileMs = performance.now() - reconcileStarted;

    // ---- the state Stripe and the databases agree on
    const { rows: orders } = await sql.query<{
      id: string;
      buyer_id: string;
      idempotency_key: string;
      status: string;
      payment_reference: string | null;
      total_fen: string;
      amount_received_fen: string | null;
    }>(
      'select id, buyer_id, idempotency_key, status, payment_reference, total_fen, amount_received_fen from customer_order',
    );
    const orderById = new Map(orders.map((o) => [o.id, o]));
    const problems: string[] = [];

    // 1. Every paid PaymentIntent has its one paid order; no order has two PaymentIntents.
    const creates = fake.requests.filter(isCreate);
    const intentsPerOrder = new Map<string, string[]>();
    for (const create of creates) {
      const id = await intentOf(create);
      const pi = fake.paymentIntent(id) as {
        status: string;
        amount: number;
        metadata: { order_id?: string };
      };
      const orderId = pi.metadata.order_id ?? '';
      intentsPerOrder.set(orderId, [...(intentsPerOrder.get(orderId) ?? []), id]);
      if (create.idempotencyKey !== `order:${orderId}:payment`) {
        problems.push(`${id} was created with key ${create.idempotencyKey} for order ${orderId}`);
      }
      if (pi.status !== 'succeeded') {
        continue;
      }
      const holders = orders.filter((o) => o.payment_reference === id);
      const holder = holders[0];
      if (holders.length !== 1 || holder.id !== orderId) {
        problems.push(`paid ${id} (order ${orderId}) is held by ${holders.length} orders`);
      } else if (holder.status === 'refunded') {
        const refunded = fake.requests.filter(
          (r) =>
            r.method === 'POST' &&
            r.path === '/v1/refunds' &&
            r.status === 200 &&
            r.params['payment_intent'] === id &&
            Number(r.params['amount']) === pi.amount,
        );
        if (refunded.length === 0) {
          problems.push(`order ${orderId} is refunded but ${id} was not refunded in full`);
        }
      } else if (holder.status !== 'paid' || Number(holder.amount_received_fen) !== pi.amount) {
        problems.push(
          `paid ${id}: order ${orderId} is ${holder.status}, received ${holder.amount_received_fen} of ${pi.amount}`,
        );
      }
    }
    for (const [orderId, ids] of intentsPerOrder) {
      if (ids.length > 1) {
        problems.push(`order ${orderId} has ${ids.length} PaymentIntents: ${ids.join(', ')}`);
      }
    }

    // 2. No order lost or doubled: every answer exists, one order per buyer and key, paid once.
    const { rows: paidEvents } = await sql.query<{ order_id: string; n: string }>(
      `select order_id, count(*) as n from outbox_event where type = 'order.paid' group by order_id`,
    );
    const paidEventsOf = new Map(paidEvents.map((r) => [r.order_id, Number(r.n)]));
    for (const run of all) {
      const mine = orders.filter((o) => o.buyer_id === run.buyer.userId);
      const label = `run ${run.index} (${run.phase})`;
      for (const answered of [run.firstAnswer, run.retryAnswer]) {
        if (answered && !orderById.has(answered)) {
          problems.push(`${label}: order ${answered} was answered and is gone`);
        }
      }
      if (run.firstAnswer && run.firstAnswer !== run.retryAnswer) {
        problems.push(
          `${label}: the first checkout answered ${run.firstAnswer}, its repeat ${run.retryAnswer}`,
        );
      }
      if (mine.length !== 1 || mine[0].idempotency_key !== run.key || mine[0].id !== run.retryAnswer) {
        problems.push(`${label}: ${mine.length} orders for the buyer's one key`);
      } else if (mine[0].status !== 'paid') {
        problems.push(`${label}: order ${mine[0].id} is ${mine[0].status} though its payment succeeded`);
      }
    }
    for (const order of orders) {
      const expected = order.status === 'paid' ? 1 : 0;
      if ((paidEventsOf.get(order.id) ?? 0) !== expected) {
        problems.push(
          `order ${order.id} (${order.status}) has ${paidEventsOf.get(order.id) ?? 0} order.paid events`,
        );
      }
    }

    // 3. Stock: committed for paid orders only, and exactly their units; no hold left for an order.
    const { rows: holds } = await catalogSql.query<{ order_id: string; status: string; units: string }>(
      `select order_id, status, sum(quantity) as units from stock_hold group by order_id, status`,
    );
    const { rows: lines } = await sql.query<{ order_id: string; units: string }>(
      'select order_id, sum(quantity) as units from order_line group by order_id',
    );
    const unitsOf = new Map(lines.map((l) => [l.order_id, Number(l.units)]));
    let committedUnits = 0;
    let orphanUnits = 0;
    let orphanHolds = 0;
    for (const hold of holds) {
      const order = orderById.get(hold.order_id);
      const units = Number(hold.units);
      if (hold.status === 'committed') {
        committedUnits += units;
        if (order?.status !== 'paid' || unitsOf.get(order.id) !== units) {
          problems.push(`${units} units committed for order ${hold.order_id} (${order?.status ?? 'absent'})`);
        }
      } else if (hold.status === 'held') {
        if (order) {
          problems.push(`${units} units still held for order ${order.id} (${order.status})`);
        }
        // A hold whose order was never written (killed in between): catalog's expiry gives it back.
        orphanUnits += units;
        orphanHolds += 1;
      }
    }
    const paidUnits = orders
      .filter((o) => o.status === 'paid')
      .reduce((sum, o) => sum + (unitsOf.get(o.id) ?? 0), 0);
    expect({ committedUnits, onHand: await catalog.onHand(productId) }).toEqual({
      committedUnits: paidUnits,
      onHand: STOCK - paidUnits - orphanUnits,
    });

    const phases = new Map<string, number>();
    for (const run of runs) {
      phases.set(run.phase!, (phases.get(run.phase!) ?? 0) + 1);
    }
    const count = (p: (r: Run) => boolean) => runs.filter(p).length;
    const { rows: viaEvents } = await sql.query<{ n: string }>(
      `select count(distinct order_id) as n from payment_event where outcome = 'applied' and type = 'payment_intent.succeeded'`,
    );
    console.log(
      [
        `${RUNS} kills in a ${window.toFixed(0)} ms window, half within the checkout's ${checkoutWindow.toFixed(0)} ms (sequence ${spanMs.toFixed(0)} ms, boot ${bootMs.toFixed(0)} ms), seed ${SEED}:`,
        ...[...phases].map(([phase, n]) => `  ${n} × ${phase}`),
        `  paid at Stripe when killed: ${count((r) => !!r.paidAtKill)}; first checkout answered: ${count((r) => !!r.firstAnswer)}`,
        `  after restart: ${['already paid', 'webhook', 'webhook redelivered', 'webhook lost']
          .map((a) => `${count((r) => r.after === a)} ${a}`)
          .join(', ')}`,
        `  stale checkout locks with no order: ${count((r) => !!r.staleLock)}; orphan holds: ${orphanHolds} (${orphanUnits} units)`,
        `  ${orders.length} orders, ${paidUnits} units paid; ${Number(viaEvents[0].n)} paid by a webhook, the rest by the reconciler (the last waited ${reconcileMs.toFixed(0)} ms for it)`,
        `  kill delays (ms): ${runs.map((r) => r.killAfterMs).join(' ')}`,
        `  total ${((performance.now() - began) / 1000).toFixed(1)} s`,
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(orders).toHaveLength(all.length);
    expect(phases.size).toBeGreaterThanOrEqual(3);
  }, 240_000);
});
