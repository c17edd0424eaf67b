#!/usr/bin/env node
// `npm run bench:catalog-read`: how close the gateway's cached product listing
// (GET /api/v1/products?pageSize=20) comes to the fastest this machine can serve the same bytes.
//
// Builds (and runs a private copy of dist/ in tmp/), creates three fresh databases (dropped at the
// end) and a Redis key prefix (deleted), starts beneficiaries, catalog and gateway as child
// processes with the environment the launcher gives them (tools/runtime/services.mjs; fresh
// secrets, LOG_LEVEL=warn, rate limit raised so one IP is never throttled), waits until both gRPC
// services are SERVING and the gateway is live, warms the cache, then runs autocannon
// (its own process) for a discarded warm-up and a measured run. Then a bare node:http server (its own process)
// returning the very same body and content-type gets the same warm-up and run. Prints req/s and
// p50/p99 of both and the ratio gateway ÷ bare (target ≥ 0.6).
//
// Env: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64), BENCH_DATABASE_URL,
// BENCH_REDIS_URL, BENCH_SKIP_BUILD=true (copy the existing dist/ instead of building),
// BENCH_GATEWAY_NODE_ARGS (extra node flags for the gateway, e.g. --cpu-prof --cpu-prof-dir=…).
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
const PATH = '/api/v1/products?pageSize=20';

/** Discarded warm-up, then the measured run, same settings for every target. */
async function measure(name, url) {
  say(`${name}: warm-up ${WARMUP} s (discarded), then ${SECONDS} s at ${CONNECTIONS} connections`);
  await autocannon(url, { connections: CONNECTIONS, seconds: WARMUP });
  return autocannon(url, { connections: CONNECTIONS, seconds: SECONDS });
}

run(async () => {
  const { work } = await prepareBuild();

  const db = await freshDatabases(['beneficiaries', 'catalog', 'gateway']);
  const ports = await servicePorts();
  const barePort = await freePort();
  const ctx = launchContext({ databases: db, ports, redisKeyPrefix: await freshRedisPrefix() });
  say(
    `services log at LOG_LEVEL=warn; gateway RATE_LIMIT_PER_MINUTE=${RATE_LIMIT} (one client IP must not be throttled)`,
  );

  const register = startService(work, 'beneficiaries', ctx);
  const catalog = startService(work, 'catalog', ctx);
  // For profiling, e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=tmp/profiles".
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const gateway = startService(work, 'gateway', ctx, {
    nodeArgs,
    overrides: { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) },
  });
  // A service that dies would otherwise show only as a listing that never comes. No orders runs
  // here, so the gateway's /readyz (which asks orders too) never turns 200: its /healthz then.
  await waitReady(ports, { beneficiaries: register, catalog, gateway }, { httpPath: '/healthz' });

  // Warm the cache and take the exact bytes the gateway serves.
  const listing = await waitFor('a product listing with items', async () => {
    const res = await httpGet(ports.gateway, PATH);
    return res?.status === 200 && JSON.parse(res.body).items?.length > 0 ? res : undefined;
  });
  const items = JSON.parse(listing.body).items.length;
  say(
    `listing: ${items} items, ${listing.body.length} bytes, content-type ${listing.headers['content-type']}`,
  );
  const bodyFile = path.join(work, 'listing.json');
  fs.writeFileSync(bodyFile, listing.body);

  const gatewayResult = await measure('gateway', `http://127.0.0.1:${ports.gateway}${PATH}`);

  const bare = startProcess('bare', ['bench/servers/bare-http.mjs'], {
    env: { PORT: String(barePort), BODY_FILE: bodyFile, CONTENT_TYPE: listing.headers['content-type'] },
    quiet: true,
  });
  await waitFor('bare server', async () => (await httpGet(barePort, PATH))?.status === 200, { child: bare });
  const check = await httpGet(barePort, PATH);
  if (!check.body.equals(listing.body)) {
    throw new Error('bare server does not answer the same bytes');
  }
  const bareResult = await measure('bare node:http', `http://127.0.0.1:${barePort}${PATH}`);

  printComparison({
    title: `GET ${PATH}  (autocannon, ${CONNECTIONS} connections, ${SECONDS} s measured after ${WARMUP} s warm-up; services at LOG_LEVEL=warn)`,
    unit: 'req/s',
    subject: { name: 'gateway', value: gatewayResult },
    baseline: { name: 'bare node:http', value: bareResult },
    target: 0.6,
  });
});
