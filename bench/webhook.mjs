#!/usr/bin/env node
// `npm run bench:webhook`: verified, deduplicated Stripe webhook events per second through the
// gateway's real route, against the least a server must do to trust a delivery.
//
// What is measured, exactly: POSTs of signed payment_intent.succeeded events (Stripe's JSON,
// ~2.1 KB), each with its own event id, PaymentIntent id and order id (a pool of BENCH_EVENTS
// distinct events, signed before the run, so the load generator does no HMAC of its own), loaded
// by autocannon (its own process, 64 connections, discarded warm-up, then the measured run) at:
//   - "gateway route": POST /api/v1/payments/stripe/webhook of the gateway (Fastify, its hooks:
//     request id, security headers, metrics; the webhook's onRequest hook ahead of Nest:
//     StripeWebhookVerifier's constructEvent, JSON and shape check) → the delivery's row in an
//     `insert into stripe_inbox_event … on conflict (event_id) do nothing` in the gateway's
//     database, shared by the deliveries that arrived together (a group commit, GroupCommit) → 200
//     {"received":true}. Meanwhile the gateway's inbox applier (same process)
//     claims the stored events and hands them to the orders service over gRPC (ApplyPaymentEvents, 32 a call),
//     as deployed: its CPU is part of the run. The events name orders that do not exist, so orders
//     records each as unknown_order: the dedupe and record path, not payment (stock commit,
//     outbox), which bench:checkout's figures cover.
//   - "bare HMAC + INSERT" (the baseline): a minimal node:http server that reads the raw body,
//     checks the signature as below, takes the event's id and type with JSON.parse, and runs the
//     same single `insert … on conflict (event_id) do nothing` of the same bytes into the same
//     table of the same database (emptied first; the gateway stopped), with a pg pool of the
//     gateway's size (DB_POOL_MAX, 10), then answers the same 200. The least a server must do to
//     acknowledge a delivery durably.
//   - "bare HMAC + grouped INSERT" (for reference): the same, but deliveries that arrive while 4
//     inserts are in flight go together in the next one (up to 64, `insert … select from unnest
//     … on conflict do nothing`), as the gateway's route writes them; each answered once its
//     statement committed.
//   - "bare HMAC": the same server without the insert: parses t= and v1= from the header,
//     computes HMAC-SHA256 with node:crypto, compares in constant time, checks the timestamp.
//   - "webhook logic": the gateway's verification and mapping alone in a minimal node:http server.
// Every server is first checked to answer 200 to a signed body and 400 to it with one byte
// changed. After the gateway run the bench waits for the applier to drain the inbox and checks
// that every distinct event was stored once and recorded once by orders (events sent more than
// once, when the pool wraps, are stored and applied once); it prints how long the drain took.
// Prints events/s, p50/p99 and the ratios.
//
// Env: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64), BENCH_EVENTS (60000),
// BENCH_SKIP_BUILD=true (copy the existing dist/ instead of building), BENCH_APPLIER=late (the
// inbox applier's first pass a minute after boot, not beside the run), BENCH_NODE_ARGS (extra node
// flags for the gateway and orders, e.g. --cpu-prof --cpu-prof-dir=tmp/profiles).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { autocannonFigures } from './lib/autocannon.mjs';

const SELF = fileURLToPath(import.meta.url);
const OK_BODY = '{"received":true}';

/**
 * Server mode: `node bench/webhook.mjs --serve logic|bare|insert|grouped` (env PORT, WEBHOOK_SECRET, DIST,
 * and for insert and grouped INBOX_URL and POOL_MAX).
 */
async function serve(kind) {
  const secret = process.env.WEBHOOK_SECRET;
  let check;
  let store = async () => undefined;
  if (kind === 'insert') {
    const require = createRequire(import.meta.url);
    const pg = require('pg');
    const pool = new pg.Pool({ connectionString: process.env.INBOX_URL, max: Number(process.env.POOL_MAX) });
    store = async (body) => {
      const event = JSON.parse(body.toString('utf8'));
      await pool.query(
        'insert into stripe_inbox_event (event_id, type, body) values ($1, $2, $3) on conflict (event_id) do nothing',
        [event.id, event.type, body.toString('utf8')],
      );
    };
  }
  if (kind === 'grouped') {
    // As the gateway writes (GroupCommit, its defaults): deliveries that arrive while 4
    // inserts are in flight go together in the next one, up to 64, each answered once its
    // statement committed.
    const require = createRequire(import.meta.url);
    const pg = require('pg');
    const pool = new pg.Pool({ connectionString: process.env.INBOX_URL, max: Number(process.env.POOL_MAX) });
    const waiting = [];
    let running = 0;
    const next = () => {
      while (running < 4 && waiting.length > 0) {
        const group = waiting.splice(0, 64);
        const ids = new Map(group.map((w) => [w.id, w]));
        running += 1;
        pool
          .query(
            `insert into stripe_inbox_event (event_id, type, body)
             select * from unnest($1::text[], $2::text[], $3::text[]) on conflict (event_id) do nothing`,
            [[...ids.keys()], [...ids.values()].map((w) => w.type), [...ids.values()].map((w) => w.body)],
          )
          .then(
            () => group.forEach((w) => w.resolve()),
            (error) => group.forEach((w) => w.reject(error)),
          )
          .finally(() => {
            running -= 1;
            next();
          });
      }
    };
    store = (body) =>
      new Promise((resolve, reject) => {
        const event = JSON.parse(body.toString('utf8'));
        waiting.push({ id: event.id, type: event.type, body: body.toString('utf8'), resolve, reject });
        next();
      });
  }
  if (kind === 'logic') {
    const { StripeWebhookVerifier } = await import('./lib/from-build.mjs');
    const Verifier = StripeWebhookVerifier(process.env.DIST);
    const verifier = new Verifier({ secret, toleranceSeconds: 300 });
    check = (body, header) => {
      try {
        verifier.verify(body, header);
        return true;
      } catch {
        return false;
      }
    };
  } else {
    const key = Buffer.from(secret, 'utf8');
    check = (body, header) => {
      if (typeof header !== 'string') {
        return false;
      }
      let timestamp = -1;
      const signatures = [];
      for (const part of header.split(',')) {
        const eq = part.indexOf('=');
        const name = part.slice(0, eq).trim();
        if (name === 't') {
          timestamp = Number(part.slice(eq + 1));
        } else if (name === 'v1') {
          signatures.push(Buffer.from(part.slice(eq + 1), 'hex'));
        }
      }
      const expected = crypto.createHmac('sha256', key).update(`${timestamp}.`).update(body).digest();
      const matches = signatures.some(
        (s) => s.length === expected.length && crypto.timingSafeEqual(s, expected),
      );
      return matches && Math.abs(Date.now() / 1000 - timestamp) <= 300;
    };
  }
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks);
      const ok = check(body, request.headers['stripe-signature']);
      if (ok) {
        try {
          await store(body);
        } catch {
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end('{"error":"UNAVAILABLE"}');
          return;
        }
      }
      response.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
      response.end(ok ? OK_BODY : '{"error":"VALIDATION_FAILED"}');
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`${kind} on ${process.env.PORT}`));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

/** A Stripe payment_intent.succeeded event as Stripe sends it (2-space JSON). */
function succeededEvent() {
  // Distinct ids per event; the shape is that of a real delivery.
  const id = `pi_${crypto.randomBytes(12).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const intent = {
    id,
    object: 'payment_intent',
    amount: 12_345,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 12_345,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: { allow_redirects: 'always', enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${id}_secret_${crypto.randomBytes(12).toString('hex')}`,
    confirmation_method: 'automatic',
    created,
    currency: 'cny',
    customer: null,
    description: null,
    last_payment_error: null,
    latest_charge: `ch_${crypto.randomBytes(12).toString('hex')}`,
    livemode: false,
    metadata: { order_id: crypto.randomUUID() },
    next_action: null,
    on_behalf_of: null,
    payment_method: `pm_${crypto.randomBytes(12).toString('hex')}`,
    payment_method_configuration_details: { id: 'pmc_1MjRbpAtvS4xQE6Nyuh8RSwU', parent: null },
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: ['card'],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
  return {
    id: `evt_${crypto.randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    data: { object: intent },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: `order:${intent.metadata.order_id}:payment` },
    type: 'payment_intent.succeeded',
  };
}

/** A POST to 127.0.0.1; resolves to the status, or undefined on error. */
function httpPost(port, body, headers, urlPath = '/') {
  return new Promise((resolve) => {
    const request = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: 'POST', headers, timeout: 2000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      },
    );
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
    request.end(body);
  });
}

/** Load mode: `node bench/webhook.mjs --load <url> <eventsFile> <seconds> <connections>`; prints JSON. */
async function load([url, eventsFile, seconds, connections]) {
  const require = createRequire(import.meta.url);
  const autocannon = require('autocannon');
  const events = JSON.parse(fs.readFileSync(eventsFile, 'utf8'));
  let next = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: Number(connections),
    duration: Number(seconds),
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const [body, signature] = events[next++ % events.length];
          return { ...request, body, headers: { ...request.headers, 'stripe-signature': signature } };
        },
      },
    ],
  });
  console.log(JSON.stringify({ ...autocannonFigures(result), sent: next }));
}

async function main() {
  const {
    freePort,
    freshDatabases,
    freshRedisPrefix,
    launchContext,
    prepareBuild,
    fmt,
    printComparison,
    run,
    runNode,
    say,
    SECONDS,
    servicePorts,
    startProcess,
    startService,
    waitFor,
    waitReady,
    WARMUP,
  } = await import('./lib/harness.mjs');
  const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
  const EVENTS = Number(process.env.BENCH_EVENTS ?? 60_000);

  run(async () => {
    const { work, dist } = await prepareBuild();
    const require = createRequire(import.meta.url);
    const Stripe = require('stripe');
    const pg = require('pg');
    const secret = `whsec_${crypto.randomBytes(24).toString('base64url')}`;
    const sign = (payload) => Stripe.webhooks.generateTestHeaderString({ payload, secret });
    const sample = JSON.stringify(succeededEvent(), null, 2);
    say(
      `event: payment_intent.succeeded, ${Buffer.byteLength(sample)} bytes; ${EVENTS} distinct events per run`,
    );

    /** A fresh pool of signed distinct events, written for the load process. */
    function eventPool(name) {
      const file = path.join(work, `events-${name.replace(/\W+/g, '-')}.json`);
      const pool = [];
      for (let i = 0; i < EVENTS; i++) {
        const payload = JSON.stringify(succeededEvent(), null, 2);
        pool.push([payload, sign(payload)]);
      }
      fs.writeFileSync(file, JSON.stringify(pool));
      return file;
    }

    async function loadRun(url, file, seconds) {
      const out = await runNode([SELF, '--load', url, file, String(seconds), String(CONNECTIONS)]);
      return JSON.parse(out.slice(out.indexOf('{')));
    }

    /** Checks `port` answers 200 to a signed event and 400 to it with one byte changed. */
    async function proveChecks(name, port, urlPath = '/') {
      const payload = JSON.stringify(succeededEvent(), null, 2);
      const headers = { 'content-type': 'application/json', 'stripe-signature': sign(payload) };
      const good = await httpPost(port, payload, headers, urlPath);
      const tampered = await httpPost(port, payload.replace('12345', '12346'), headers, urlPath);
      if (good !== 200 || tampered !== 400) {
        throw new Error(`${name}: signed body answered ${good}, tampered body ${tampered} (want 200, 400)`);
      }
    }

    async function measure(name, url) {
      say(`${name}: warm-up ${WARMUP} s (discarded), then ${SECONDS} s at ${CONNECTIONS} connections`);
      await loadRun(url, eventPool(`${name}-warmup`), WARMUP);
      return loadRun(url, eventPool(name), SECONDS);
    }

    async function measureMinimal(name, kind, env = {}) {
      const port = await freePort();
      const child = startProcess(name, [SELF, '--serve', kind], {
        env: { PORT: String(port), WEBHOOK_SECRET: secret, DIST: dist, ...env },
        quiet: true,
      });
      await waitFor(`${name} server`, async () => (await httpPost(port, '{}', {})) !== undefined, { child });
      await proveChecks(name, port);
      return measure(name, `http://127.0.0.1:${port}/`);
    }

    // The gateway route: orders (its own database, Redis for carts) and the gateway.
    const db = await freshDatabases(['orders', 'gateway']);
    const ports = await servicePorts();
    // LOG_LEVEL=error: orders warns once per event naming no order of ours, which every event here is.
    // Catalog and beneficiaries are not called on this path; nothing listens on their ports.
    const ctx = launchContext({
      databases: db,
      ports,
      redisKeyPrefix: await freshRedisPrefix(),
      logLevel: 'error',
    });
    // For profiling, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=tmp/profiles" (gateway and orders).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const orders = startService(work, 'orders', ctx, { nodeArgs });
    const gateway = startService(work, 'gateway', ctx, {
      nodeArgs,
      // BENCH_APPLIER=late: the inbox applier's first pass a minute after boot, after the measured
      // run on most days, to see the route without the applier (and orders) beside it.
      overrides: {
        STRIPE_WEBHOOK_SECRET: secret,
        ...(process.env.BENCH_APPLIER === 'late' ? { STRIPE_INBOX_INTERVAL_MS: '60000' } : {}),
      },
    });
    await waitReady(ports, { orders, gateway }, { httpPath: '/healthz' });
    const route = '/api/v1/payments/stripe/webhook';
    await proveChecks('gateway route', ports.gateway, route);
    const full = await measure('gateway route', `http://127.0.0.1:${ports.gateway}${route}`);
    if (full.non2xx > 0 || full.errors > 0) {
      throw new Error(
        `the gateway route answered ${full.non2xx} non-2xx and ${full.errors} errors: the figure is not valid`,
      );
    }
    const inbox = new pg.Client({ connectionString: db.gateway });
    await inbox.connect();
    const count = async (client, query) => (await client.query(query)).rows[0].n;
    const backlog = await count(
      inbox,
      'select count(*)::int as n from stripe_inbox_event where applied_at is null and parked_at is null',
    );
    // The applier goes on after the run; the backlog it left is drained before anything is checked.
    const drainStart = Date.now();
    await waitFor(
      'the inbox applier to drain the backlog',
      async () =>
        (await count(inbox, 'select count(*)::int as n from stripe_inbox_event where applied_at is null')) ===
        0,
      { child: gateway, timeoutMs: 400_000, everyMs: 500 },
    );
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const stored = await count(inbox, 'select count(*)::int as n from stripe_inbox_event');
    const parked = await count(
      inbox,
      'select count(*)::int as n from stripe_inbox_event where parked_at is not null',
    );
    const sql = new pg.Client({ connectionString: db.orders });
    await sql.connect();
    const recorded = await count(sql, 'select count(*)::int as n from payment_event');
    await sql.end();
    const unique = Math.min(full.sent, EVENTS);
    say(
      `gateway route: ${full.requests} answered, ${full.non2xx} non-2xx, ${full.errors} errors; ${stored} events ` +
        `stored in the inbox (warm-up, proof and run; ${unique} distinct in the run, ` +
        `${Math.max(0, full.sent - EVENTS)} repeats deduplicated), ${backlog} still to apply when the run ended, ` +
        `drained in ${fmt(drainSeconds, 1)} s; ${recorded} recorded once each by orders, ${parked} parked`,
    );
    if (recorded !== stored || parked !== 0) {
      throw new Error(
        `the inbox stored ${stored} events, orders recorded ${recorded}, ${parked} parked: not exactly once`,
      );
    }

    // The baselines run alone: the gateway and orders are stopped, the inbox emptied.
    await stopChild(gateway);
    await stopChild(orders);
    await inbox.query('truncate stripe_inbox_event');
    await inbox.end();
    const inserting = await measureMinimal('bare HMAC + INSERT', 'insert', {
      INBOX_URL: db.gateway,
      POOL_MAX: '10',
    });
    const emptied = new pg.Client({ connectionString: db.gateway });
    await emptied.connect();
    await emptied.query('truncate stripe_inbox_event');
    await emptied.end();
    const grouped = await measureMinimal('bare HMAC + grouped INSERT', 'grouped', {
      INBOX_URL: db.gateway,
      POOL_MAX: '10',
    });
    const logic = await measureMinimal('webhook logic', 'logic');
    const bare = await measureMinimal('bare HMAC', 'bare');
    const title = (what) =>
      `POST signed payment_intent.succeeded, distinct events (autocannon, ${CONNECTIONS} connections, ${SECONDS} s measured after ${WARMUP} s warm-up): ${what}`;
    printComparison({
      title: title('gateway route (verified, stored once in the inbox; applied to orders alongside)'),
      unit: 'events/s',
      subject: { name: 'gateway route', value: full },
      baseline: { name: 'bare HMAC + INSERT', value: inserting },
      target: 0.5,
    });
    console.log(
      `  for reference: gateway route ÷ bare HMAC (${fmt(bare.rps)} events/s, no storage) = ${(full.rps / bare.rps).toFixed(2)}; ` +
        `bare HMAC + INSERT ÷ bare HMAC = ${(inserting.rps / bare.rps).toFixed(2)}`,
    );
    console.log(
      `  for reference: gateway route ÷ bare HMAC + grouped INSERT (${fmt(grouped.rps)} events/s, p99 ` +
        `${fmt(grouped.p99 ?? NaN)} ms; writes grouped as the gateway does) = ${(full.rps / grouped.rps).toFixed(2)}`,
    );
    printComparison({
      title: title('verification + mapping alone'),
      unit: 'events/s',
      subject: { name: 'webhook logic', value: logic },
      baseline: { name: 'bare HMAC', value: bare },
      target: 0.5,
    });
  });
}

/** SIGTERM to a service started by the harness (its own process group); SIGKILL after 10 s. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(-child.pid, 'SIGTERM');
  });
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3]);
} else if (process.argv[2] === '--load') {
  await load(process.argv.slice(3));
} else {
  await main();
}
