#!/usr/bin/env node
// `npm run bench:verify`: how close the public label verification (GET /api/v1/labels/:code, the
// lot's impact cached) comes to the fastest this machine can serve the same JSON.
//
// Builds (and runs a private copy of dist/ in tmp/), creates fresh databases (dropped at the end)
// and a Redis key prefix (deleted), starts beneficiaries, catalog, the ledger, licensing and the
// gateway with the environment the launcher gives them (tools/runtime/services.mjs; fresh secrets,
// demo data, LOG_LEVEL=warn, rate limit raised so one IP is never throttled). Through the API as
// the demo accounts: 阳光兔业's staff apply for a licence over one of its products, an officer
// approves it, the staff order a batch of label codes for one of its lots and read them off the
// SVG sheet. One code is scanned until its answer carries the lot's impact (then cached in the
// gateway), then autocannon (its own process) runs a discarded warm-up and a measured run against
// it: each request checks the code's tag, counts the scan in PostgreSQL and answers the label.
// Then a bare node:http server (its own process) returning the very same JSON gets the same
// warm-up and run. Prints req/s and p50/p99 of both and the ratio gateway ÷ bare (target ≥ 0.6).
//
// Env: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64), BENCH_DATABASE_URL,
// BENCH_REDIS_URL, BENCH_SKIP_BUILD=true, BENCH_GATEWAY_NODE_ARGS and BENCH_LICENSING_NODE_ARGS
// (extra node flags, e.g. --cpu-prof --cpu-prof-dir=tmp/profiles).
import fs from 'node:fs';
import path from 'node:path';
import {
  autocannon,
  freePort,
  freshDatabases,
  freshRedisPrefix,
  httpGet,
  launchContext,
  prepareBuild,
  printComparison,
  run,
  say,
  SECONDS,
  servicePorts,
  startProcess,
  startService,
  waitFor,
  waitReady,
  WARMUP,
} from './lib/harness.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const RATE_LIMIT = 100_000_000;
const API = '/api/v1';

/** Discarded warm-up, then the measured run, same settings for every target. */
async function measure(name, url) {
  say(`${name}: warm-up ${WARMUP} s (discarded), then ${SECONDS} s at ${CONNECTIONS} connections`);
  await autocannon(url, { connections: CONNECTIONS, seconds: WARMUP });
  return autocannon(url, { connections: CONNECTIONS, seconds: SECONDS });
}

const nodeArgsOf = (name) => (process.env[name] ?? '').split(' ').filter(Boolean);

run(async () => {
  const { work } = await prepareBuild();

  const db = await freshDatabases(['beneficiaries', 'catalog', 'gateway', 'ledger', 'licensing']);
  const ports = await servicePorts();
  const barePort = await freePort();
  const ctx = launchContext({ databases: db, ports, redisKeyPrefix: await freshRedisPrefix() });
  say(`services log at LOG_LEVEL=warn; gateway RATE_LIMIT_PER_MINUTE=${RATE_LIMIT}`);

  const register = startService(work, 'beneficiaries', ctx);
  const catalog = startService(work, 'catalog', ctx);
  const ledger = startService(work, 'ledger', ctx);
  const licensing = startService(work, 'licensing', ctx, {
    nodeArgs: nodeArgsOf('BENCH_LICENSING_NODE_ARGS'),
  });
  const gateway = startService(work, 'gateway', ctx, {
    nodeArgs: nodeArgsOf('BENCH_GATEWAY_NODE_ARGS'),
    overrides: { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), AUTH_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) },
  });
  // No orders runs here, so the gateway's /readyz never turns 200: its /healthz then.
  await waitReady(
    ports,
    { beneficiaries: register, catalog, ledger, licensing, gateway },
    { httpPath: '/healthz' },
  );

  const base = `http://127.0.0.1:${ports.gateway}${API}`;
  const call = async (method, urlPath, token, body) => {
    const res = await fetch(`${base}${urlPath}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 300) {
      throw new Error(`${method} ${urlPath} answered ${res.status} ${text.slice(0, 300)}`);
    }
    return res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  };
  const signIn = (email) =>
    waitFor(`sign-in of ${email}`, async () =>
      call('POST', '/auth/login', null, { email, password: ctx.demoPassword }).catch(() => undefined),
    );
  const staff = await signIn('yangguang@example.com');
  const officer = await signIn('officer@example.com');
  const producerId = staff.user.producerIds[0];
  const products = await waitFor('a certified product of 阳光兔业', async () => {
    const page = await call('GET', `/products?producerId=${producerId}&pageSize=50`);
    return page.items.length > 0 ? page.items : undefined;
  });
  const productId = products[0].id;
  const licence = await call('POST', '/licences', staff.accessToken, {
    producerId,
    productIds: [productId],
    commitmentBps: 200,
    minPerUnitFen: 50,
  });
  const day = 86_400_000;
  await call('POST', `/licences/${licence.id}/approve`, officer.accessToken, {
    validFrom: new Date(Date.now() - day).toISOString(),
    validTo: new Date(Date.now() + 365 * day).toISOString(),
  });
  const lots = await call('GET', `/products/${productId}/lots`, staff.accessToken);
  const lotId = (lots.items ?? lots)[0].id;
  const batch = await call('POST', '/label-batches', staff.accessToken, { productId, lotId, quantity: 24 });
  const svg = await call('GET', `/label-batches/${batch.id}/sheet.svg`, staff.accessToken);
  const codes = [...svg.matchAll(/>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})</g)].map((m) => m[1].replace(/-/g, ''));
  if (codes.length !== 24) {
    throw new Error(`the sheet shows ${codes.length} codes, not 24`);
  }
  const labelPath = `${API}/labels/${codes[0]}`;
  const scanned = await waitFor('a verification with the lot impact', async () => {
    const res = await httpGet(ports.gateway, labelPath);
    return res?.status === 200 && JSON.parse(res.body).impact ? res : undefined;
  });
  say(
    `label ${codes[0]} of ${licence.id.slice(0, 8)}…: ${scanned.body.length} bytes, content-type ${scanned.headers['content-type']}`,
  );
  const bodyFile = path.join(work, 'verification.json');
  fs.writeFileSync(bodyFile, scanned.body);

  const gatewayResult = await measure('gateway', `http://127.0.0.1:${ports.gateway}${labelPath}`);

  const bare = startProcess('bare', ['bench/servers/bare-http.mjs'], {
    env: { PORT: String(barePort), BODY_FILE: bodyFile, CONTENT_TYPE: scanned.headers['content-type'] },
    quiet: true,
  });
  await waitFor('bare server', async () => (await httpGet(barePort, labelPath))?.status === 200, {
    child: bare,
  });
  const bareResult = await measure('bare node:http', `http://127.0.0.1:${barePort}${labelPath}`);

  printComparison({
    title: `GET ${API}/labels/:code  (autocannon, ${CONNECTIONS} connections, ${SECONDS} s measured after ${WARMUP} s warm-up; impact cached; services at LOG_LEVEL=warn)`,
    unit: 'req/s',
    subject: { name: 'gateway', value: gatewayResult },
    baseline: { name: 'bare node:http', value: bareResult },
    target: 0.6,
  });
});
