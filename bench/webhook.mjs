#!/usr/bin/env node
// `npm run bench:webhook`: verified Stripe webhook events per second through the gateway's webhook
// logic, against the least a server must do to trust a delivery.
//
// What is measured, exactly: POST of one signed payment_intent.succeeded event (Stripe's JSON,
// ~2.1 KB) to two minimal node:http servers, each its own process, loaded by autocannon (its own
// process, discarded warm-up, then the measured run):
//   - "webhook logic": reads the raw body and calls StripeWebhookVerifier.verify from the build
//     (apps/gateway/src/payments/stripe-webhook.js): the Stripe SDK's constructEvent (HMAC-SHA256
//     of "<t>.<body>", constant-time compare, 300 s tolerance), JSON parse, the event's shape
//     check, and the mapping to orders.ApplyPaymentEventRequest; answers 200 {"received":true}.
//   - "bare HMAC": reads the raw body, parses t= and v1= from the header, computes the same
//     HMAC-SHA256 with node:crypto, compares in constant time, checks the timestamp, and answers
//     the same 200 {"received":true}. No JSON parsing, no mapping.
// Not measured (the gateway route does not exist yet): Fastify and the gateway's middleware, the
// dedupe of the event id and the ApplyPaymentEvent gRPC call to the orders service. Every request
// carries the same event, so nothing here dedupes. Both servers are first checked to answer 200
// to the signed body and 400 to it with one byte changed. Prints events/s, p50/p99 and the ratio.
//
// Env: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64),
// BENCH_SKIP_BUILD=true (copy the existing dist/ instead of building).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const OK_BODY = '{"received":true}';

/** Server mode: `node bench/webhook.mjs --serve logic|bare` (env PORT, WEBHOOK_SECRET, DIST). */
function serve(kind) {
  const secret = process.env.WEBHOOK_SECRET;
  let check;
  if (kind === 'logic') {
    const require = createRequire(import.meta.url);
    const { StripeWebhookVerifier } = require(
      path.join(process.env.DIST, 'apps/gateway/src/payments/stripe-webhook.js'),
    );
    const verifier = new StripeWebhookVerifier({ secret, toleranceSeconds: 300 });
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
    request.on('end', () => {
      const ok = check(Buffer.concat(chunks), request.headers['stripe-signature']);
      response.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
      response.end(ok ? OK_BODY : '{"error":"VALIDATION_FAILED"}');
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`${kind} on ${process.env.PORT}`));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

/** A Stripe payment_intent.succeeded event as Stripe sends it (2-space JSON). */
function succeededEvent() {
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
function httpPost(port, body, headers) {
  return new Promise((resolve) => {
    const request = http.request(
      { host: '127.0.0.1', port, path: '/', method: 'POST', headers, timeout: 2000 },
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

async function main() {
  const { prepareBuild, freePort, run, runNode, say, startProcess, waitFor, printComparison, ROOT } =
    await import('./lib/harness.mjs');
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
  const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
  const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);

  /** autocannon's CLI in its own process, POSTing `bodyFile` with `headers`. */
  async function autocannonPost(url, { bodyFile, headers, seconds }) {
    const cli = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
    const args = [
      cli,
      '--json',
      '-c',
      String(CONNECTIONS),
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-i',
      bodyFile,
    ];
    for (const [name, value] of Object.entries(headers)) {
      args.push('-H', `${name}:${value}`);
    }
    const out = await runNode([...args, url]);
    const result = JSON.parse(out.slice(out.indexOf('{')));
    return {
      rps: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      requests: result.requests.total,
    };
  }

  run(async () => {
    const { work, dist } = await prepareBuild();
    const require = createRequire(import.meta.url);
    const Stripe = require('stripe');
    const secret = `whsec_${crypto.randomBytes(24).toString('base64url')}`;
    const payload = JSON.stringify(succeededEvent(), null, 2);
    const bodyFile = path.join(work, 'event.json');
    fs.writeFileSync(bodyFile, payload);
    say(`event: payment_intent.succeeded, ${Buffer.byteLength(payload)} bytes`);

    async function measure(name, kind) {
      const port = await freePort();
      const child = startProcess(name, [SELF, '--serve', kind], {
        env: { PORT: String(port), WEBHOOK_SECRET: secret, DIST: dist },
        quiet: true,
      });
      // Signed now, so that the run stays well inside the 300 s tolerance.
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
      const headers = { 'content-type': 'application/json', 'stripe-signature': signature };
      await waitFor(`${name} server`, async () => (await httpPost(port, payload, headers)) !== undefined, {
        child,
      });
      const good = await httpPost(port, payload, headers);
      const tampered = await httpPost(port, payload.replace('12345', '12346'), headers);
      if (good !== 200 || tampered !== 400) {
        throw new Error(`${name}: signed body answered ${good}, tampered body ${tampered} (want 200, 400)`);
      }
      const url = `http://127.0.0.1:${port}/`;
      say(`${name}: warm-up ${WARMUP} s (discarded), then ${SECONDS} s at ${CONNECTIONS} connections`);
      await autocannonPost(url, { bodyFile, headers, seconds: WARMUP });
      return autocannonPost(url, { bodyFile, headers, seconds: SECONDS });
    }

    const logic = await measure('webhook logic', 'logic');
    const bare = await measure('bare HMAC', 'bare');
    printComparison({
      title: `POST signed payment_intent.succeeded (autocannon, ${CONNECTIONS} connections, ${SECONDS} s measured after ${WARMUP} s warm-up): verification + mapping, no route, dedupe or gRPC yet`,
      unit: 'events/s',
      subject: { name: 'webhook logic', value: logic },
      baseline: { name: 'bare HMAC', value: bare },
      target: 0.5,
    });
  });
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3]);
} else {
  await main();
}
