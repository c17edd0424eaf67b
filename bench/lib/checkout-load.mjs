// The checkout platform under load, shared by bench:checkout and bench:growth: the services
// started from the build as the launcher wires them, the demo catalogue's saleable products given
// plenty of stock, BENCH_BUYERS consumers with tokens, one probe checkout, and a load client (a
// process of its own) that runs checkouts in rounds through the gateway, timed one by one, with
// the orders and holds it made counted around each run. See bench/checkout.mjs for what exactly
// is measured and why.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { serviceEnv } from '../../tools/runtime/services.mjs';
import { cpuMeter } from './cpu.mjs';
import { TokenService } from './from-build.mjs';
import {
  fmt,
  freshDatabases,
  freshRedisPrefix,
  launchContext,
  onCleanup,
  PG_URL,
  prepareBuild,
  runNode,
  say,
  SECONDS,
  servicePorts,
  startService,
  waitReady,
  WARMUP,
} from './harness.mjs';

const RATE_LIMIT = 100_000_000;
const EXTRA_UNITS = 10_000_000;
const REQUEST_TIMEOUT_MS = 20_000;
const API = '/api/v1';
const CHECKOUT_BODY = JSON.stringify({ paymentMethod: 'manual' });

/** The meter of bench/lib/cpu.mjs, its stretches summed in `totals` (undefined off Linux). */
function accumulating(meter) {
  const wrapped = {
    totals: undefined,
    start: meter.start,
    close: meter.close,
    stop: async () => {
      const stretch = await meter.stop();
      if (stretch) {
        wrapped.totals ??= Object.fromEntries(Object.keys(stretch).map((k) => [k, 0]));
        for (const [k, ms] of Object.entries(stretch)) {
          wrapped.totals[k] += ms;
        }
      }
    },
  };
  return wrapped;
}

/** Runs `fn` on `items` with `concurrency` in flight, each item once, in order of the list. */
export async function inParallel(items, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** One HTTP request to 127.0.0.1; resolves to { status, body } (status 0: transport error). */
export function request(agent, port, method, urlPath, headers, body) {
  return new Promise((resolve) => {
    const all = body === undefined ? headers : { ...headers, 'content-type': 'application/json' };
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, agent, headers: all, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on('error', (error) => resolve({ status: 0, body: String(error.message) }));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.once('error', (error) => resolve({ status: 0, body: String(error.message) }));
    req.end(body);
  });
}

/**
 * Rounds until the timed stretches add up to `seconds`: `prepare()` (untimed) makes the round's
 * queue, then `checkout(item)` runs over it with `concurrency` in flight and is timed one by one;
 * it resolves to true (counted) or to { kind, detail } (failed). Returns the figures of the timed part.
 */
export async function rounds({ seconds, concurrency, prepare, checkout, meter }) {
  const budget = seconds * 1000;
  const latencies = [];
  const failures = {};
  let firstFailure;
  let elapsed = 0;
  let round = 0;
  while (elapsed < budget) {
    const queue = await prepare();
    if (queue.length === 0) {
      throw new Error('nothing to check out: every cart fill failed');
    }
    await meter.start();
    const started = performance.now();
    await inParallel(queue, concurrency, async (item) => {
      if (elapsed + (performance.now() - started) >= budget) {
        return;
      }
      const t0 = performance.now();
      const outcome = await checkout(item);
      const ms = performance.now() - t0;
      if (outcome === true) {
        latencies.push(ms);
      } else {
        failures[outcome.kind] = (failures[outcome.kind] ?? 0) + 1;
        firstFailure ??= outcome.detail;
      }
    });
    elapsed += performance.now() - started;
    await meter.stop();
    round += 1;
  }
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? NaN;
  const failed = Object.values(failures).reduce((sum, n) => sum + n, 0);
  return {
    rps: latencies.length / (elapsed / 1000),
    p50: at(0.5),
    p99: at(0.99),
    checkouts: latencies.length,
    failed,
    failures,
    firstFailure,
    seconds: elapsed / 1000,
    rounds: round,
    cpu: meter.totals,
  };
}

/** CPU time (ms) of process `pid`, all its threads, summed over /proc/<pid>/task/<tid>/schedstat (Linux). */
// ---------------------------------------------------------------- load client: the gateway

export async function gatewayClient(config, seconds, meter) {
  const { port, buyers, concurrency, tag } = config;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const fills = { requests: 0, failed: 0, first: undefined, latencies: [] };
  const filled = new Set();
  let key = 0;
  const auth = (buyer) => ({ authorization: `Bearer ${buyer.token}` });
  const result = await rounds({
    seconds,
    concurrency,
    meter,
    prepare: async () => {
      await inParallel(
        buyers.filter((b) => !filled.has(b)),
        concurrency,
        async (buyer) => {
          const t0 = performance.now();
          const res = await request(
            agent,
            port,
            'POST',
            `${API}/cart/items`,
            auth(buyer),
            JSON.stringify({ productId: buyer.productId, quantity: 1 }),
          );
          fills.requests += 1;
          fills.latencies.push(performance.now() - t0);
          if (res.status === 201) {
            filled.add(buyer);
          } else {
            fills.failed += 1;
            fills.first ??= `${res.status} ${res.body.slice(0, 300)}`;
          }
        },
      );
      return buyers.filter((b) => filled.has(b));
    },
    checkout: async (buyer) => {
      key += 1;
      const res = await request(
        agent,
        port,
        'POST',
        `${API}/checkout`,
        { ...auth(buyer), 'idempotency-key': `${tag}-${buyer.index}-${key}` },
        CHECKOUT_BODY,
      );
      if (res.status === 201) {
        filled.delete(buyer);
        return true;
      }
      return { kind: String(res.status), detail: `${res.status} ${res.body.slice(0, 300)}` };
    },
  });
  // Carts the last stretch did not reach: emptied (not a checkout, not timed), so that the next
  // run starts from empty carts and makes exactly one order per 201.
  let emptied = 0;
  await inParallel([...filled], concurrency, async (buyer) => {
    const res = await request(agent, port, 'DELETE', `${API}/cart/items/${buyer.productId}`, auth(buyer));
    if (res.status !== 200) {
      throw new Error(`emptying a cart answered ${res.status} ${res.body.slice(0, 300)}`);
    }
    emptied += 1;
  });
  agent.destroy();
  fills.latencies.sort((a, b) => a - b);
  return {
    ...result,
    fills: {
      requests: fills.requests,
      failed: fills.failed,
      first: fills.first,
      p50: fills.latencies[Math.floor(fills.latencies.length / 2)] ?? NaN,
    },
    emptied,
  };
}

export async function loadClient([kind, configFile, seconds], bareClient) {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  // Idempotency keys of their own in every run (warm-up and measured share the buyers).
  config.tag = `${config.tag}-${crypto.randomBytes(4).toString('hex')}`;
  // The CPU meter needs a PostgreSQL connection of its own; on a server out of connections the
  // run goes on unmetered (its CPU figures then say "not measured").
  const meter = accumulating(
    await cpuMeter(config.cpu).catch((error) => {
      console.error(`CPU not metered: ${error.message}`);
      return { start: async () => {}, stop: async () => undefined, close: async () => {} };
    }),
  );
  try {
    const result =
      kind === 'gateway'
        ? await gatewayClient(config, Number(seconds), meter)
        : await bareClient(config, Number(seconds), meter);
    process.stdout.write(JSON.stringify(result));
  } finally {
    await meter.close();
  }
}

export async function startCheckoutPlatform({ script, concurrency, buyerCount, pgPool }) {
  const { work, dist } = await prepareBuild();
  const db = await freshDatabases(['beneficiaries', 'catalog', 'licensing', 'orders', 'gateway']);
  const ports = await servicePorts();
  const ctx = launchContext({ databases: db, ports, redisKeyPrefix: await freshRedisPrefix() });
  // For profiling, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=tmp/profiles".
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  say(
    `services log at LOG_LEVEL=warn; gateway RATE_LIMIT_PER_MINUTE=${RATE_LIMIT} (one client IP must not be throttled); ` +
      'HOLD_TTL_MS and DB_POOL_MAX left at their defaults',
  );

  const register = startService(work, 'beneficiaries', ctx);
  const catalog = startService(work, 'catalog', ctx, { nodeArgs });
  // Checkout snapshots the LOGO licence terms of each line from licensing.
  const licensing = startService(work, 'licensing', ctx, { nodeArgs });
  const orders = startService(work, 'orders', ctx, {
    nodeArgs,
    // Each buyer checks out round after round and never pays: past the per-buyer limits of
    // unpaid orders, which a real buyer would meet, every checkout would be refused.
    overrides: { MAX_UNPAID_ORDERS_PER_BUYER: '1000', MAX_HELD_UNITS_PER_BUYER: '1000000' },
  });
  const gateway = startService(work, 'gateway', ctx, {
    nodeArgs,
    overrides: { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) },
  });
  await waitReady(ports, { beneficiaries: register, catalog, licensing, orders, gateway });

  // ---- stock: every saleable demo product, its lots given plenty of units
  const catalogDb = new pg.Client({ connectionString: db.catalog });
  await catalogDb.connect();
  onCleanup(() => catalogDb.end());
  const products = (
    await catalogDb.query(
      `select p.id, p.name_en, coalesce(p.stock_source_id, p.id) as source_id
         from product p join producer pr on pr.id = p.producer_id
        where p.status = 'active' and pr.status = 'verified'
          and exists (select 1 from lot l where l.product_id = coalesce(p.stock_source_id, p.id))
        order by p.id`,
    )
  ).rows;
  if (products.length === 0) {
    throw new Error('the demo catalogue has no saleable product with lots');
  }
  const raised = await catalogDb.query(
    'update lot set quantity = quantity + $2, on_hand = on_hand + $2 where product_id = any($1::uuid[])',
    [products.map((p) => p.source_id), EXTRA_UNITS],
  );
  say(
    `stock: ${products.length} saleable demo products, their ${raised.rowCount} lots given ${fmt(EXTRA_UNITS)} more units each`,
  );

  // ---- buyers: one signed up and in through the gateway, the others copies of it
  const agent = new http.Agent({ keepAlive: true });
  onCleanup(() => agent.destroy());
  const call = (method, urlPath, headers, body) =>
    request(agent, ports.gateway, method, urlPath, headers, body && JSON.stringify(body));
  const password = crypto.randomBytes(12).toString('base64url');
  const email = 'bench-buyer-0@example.com';
  const signUp = await call('POST', `${API}/auth/register`, {}, { email, password, name: 'Bench buyer 0' });
  if (signUp.status !== 202) {
    throw new Error(`register answered ${signUp.status} ${signUp.body.slice(0, 300)}`);
  }
  const signIn = await call('POST', `${API}/auth/login`, {}, { email, password });
  if (signIn.status !== 200) {
    throw new Error(`login answered ${signIn.status} ${signIn.body.slice(0, 300)}`);
  }
  const login = JSON.parse(signIn.body);
  const claimsOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  const loginClaims = claimsOf(login.accessToken);
  const gatewayDb = new pg.Client({ connectionString: db.gateway });
  await gatewayDb.connect();
  onCleanup(() => gatewayDb.end());
  const copies = (
    await gatewayDb.query(
      `insert into app_user (id, email, name, password_hash, role, producer_ids, created_at)
       select gen_random_uuid(), replace(u.email, 'bench-buyer-0@', 'bench-buyer-' || i || '@'),
              'Bench buyer ' || i, u.password_hash, u.role, u.producer_ids, now()
         from app_user u, generate_series(1, $2::int) as i
        where u.id = $1
       returning id, email, role`,
      [login.user.id, buyerCount - 1],
    )
  ).rows;
  const Tokens = TokenService(dist);
  const tokens = new Tokens({
    secret: serviceEnv('gateway', ctx).JWT_SECRET,
    ttlSeconds: login.expiresIn,
    issuer: loginClaims.iss,
  });
  const buyers = [{ id: login.user.id, email, token: login.accessToken }];
  for (const copy of copies) {
    const issued = await tokens.issue({ userId: copy.id, role: copy.role, producerIds: [] });
    buyers.push({ id: copy.id, email: copy.email, token: issued.accessToken });
  }
  const minted = claimsOf(buyers[1].token);
  const shape = (c) =>
    JSON.stringify({ ...c, sub: undefined, iat: undefined, exp: undefined, jti: undefined, sid: undefined });
  if (shape(minted) !== shape(loginClaims) || minted.exp - minted.iat !== loginClaims.exp - loginClaims.iat) {
    throw new Error(
      `a copied buyer's token ${JSON.stringify(minted)} is not shaped as login's ${JSON.stringify(loginClaims)}`,
    );
  }
  const me = await call('GET', `${API}/me`, { authorization: `Bearer ${buyers[1].token}` });
  if (me.status !== 200 || JSON.parse(me.body).email !== buyers[1].email) {
    throw new Error(`GET /me with a copied buyer's token answered ${me.status} ${me.body.slice(0, 300)}`);
  }
  buyers.forEach((buyer, index) =>
    Object.assign(buyer, { index, productId: products[index % products.length].id }),
  );
  say(
    `buyers: ${buyers.length} consumers (1 registered and signed in through the gateway, ${copies.length} copies with tokens from the build's shared/auth TokenService), buyer i buys product i mod ${products.length}`,
  );

  // ---- one checkout through the gateway, to fail early on anything but a pending manual order
  const probe = buyers[0];
  const bearer = { authorization: `Bearer ${probe.token}` };
  const added = await call('POST', `${API}/cart/items`, bearer, { productId: probe.productId, quantity: 1 });
  const probed = await call(
    'POST',
    `${API}/checkout`,
    { ...bearer, 'idempotency-key': `probe-${crypto.randomUUID()}` },
    { paymentMethod: 'manual' },
  );
  const probeOrder = probed.status === 201 ? JSON.parse(probed.body).order : undefined;
  if (
    added.status !== 201 ||
    probeOrder?.status !== 'pending_payment' ||
    probeOrder.payment?.method !== 'manual' ||
    probeOrder.lines?.length !== 1
  ) {
    throw new Error(
      `probe: cart/items answered ${added.status}, checkout ${probed.status} ${probed.body.slice(0, 500)}`,
    );
  }

  // ---- counters checked around each measured run
  const ordersDb = new pg.Client({ connectionString: db.orders });
  await ordersDb.connect();
  onCleanup(() => ordersDb.end());
  const counts = async () => ({
    orders: Number((await ordersDb.query('select count(*) as n from customer_order')).rows[0].n),
    held: Number((await catalogDb.query('select coalesce(sum(quantity), 0) as n from stock_hold')).rows[0].n),
  });

  const configFile = path.join(work, 'checkout-load.json');
  const load = async (kind, name, productOf = (buyer) => buyer.productId) => {
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        port: ports.gateway,
        buyers: buyers.map((buyer) => ({ ...buyer, email: undefined, productId: productOf(buyer) })),
        concurrency,
        dist,
        ordersUrl: db.orders,
        catalogUrl: db.catalog,
        pgPool,
        tag: kind,
        cpu: {
          pids: { gateway: gateway.pid, orders: orders.pid, catalog: catalog.pid, licensing: licensing.pid },
          pgUrl: PG_URL,
          databases: Object.values(db).map((url) => new URL(url).pathname.slice(1)),
        },
      }),
    );
    say(
      `${name}: warm-up ${WARMUP} s (discarded), then ${SECONDS} s of checkouts, ${concurrency} in flight, rounds over ${buyers.length} buyers`,
    );
    await runNode([script, '--client', kind, configFile, String(WARMUP)]);
    const before = await counts();
    const result = JSON.parse(await runNode([script, '--client', kind, configFile, String(SECONDS)]));
    // NaN travels as null in JSON (no latency measured when nothing succeeded).
    result.p50 ??= NaN;
    result.p99 ??= NaN;
    const after = await counts();
    result.ordersMade = after.orders - before.orders;
    result.unitsHeld = after.held - before.held;
    // For the comparison rows: answers other than 201 (HTTP only), and everything else that failed
    // (no answer, a failed cart fill, a bare checkout that did not complete).
    const transport = kind === 'gateway' ? (result.failures['0'] ?? 0) : result.failed;
    result.non2xx = kind === 'gateway' ? result.failed - transport : 0;
    result.errors = transport + (result.fills?.failed ?? 0);
    say(
      `${name}: ${fmt(result.checkouts)} checkouts in ${fmt(result.seconds, 2)} s of checkout stretches (${result.rounds} rounds)` +
        (result.fills
          ? `; ${fmt(result.fills.requests)} cart fills (untimed, p50 ${fmt(result.fills.p50, 2)} ms, ${result.fills.failed} failed), ${result.emptied} carts emptied after`
          : '') +
        `; ${result.failed} failed${result.failed ? ` ${JSON.stringify(result.failures)}: ${result.firstFailure}` : ''}` +
        `; customer_order rows made ${fmt(result.ordersMade)}, units held ${fmt(result.unitsHeld)}`,
    );
    if (result.fills?.first) {
      say(`${name}: first failed fill: ${result.fills.first}`);
    }
    return result;
  };

  return { work, dist, db, ports, products, buyers, catalogDb, ordersDb, load };
}
