#!/usr/bin/env node
// `npm run bench:grpc`: how close the catalog service's unary GetProduct comes to a raw grpc-js
// server answering the same method with a fixed message of the same shape and size.
//
// Builds (and runs a private copy of dist/ in tmp/), creates fresh seeded catalog and beneficiaries
// databases (dropped at the end), starts beneficiaries and catalog pointed at it with the
// environment the launcher gives them (tools/runtime/services.mjs; fresh secrets, LOG_LEVEL=warn;
// GetProduct itself never calls the register, but catalog is wired as deployed and never to
// whatever answers on the default port), waits until the register is
// SERVING and ListProducts answers; takes one active product's id and
// catalog's exact GetProduct reply for it, then starts the echo server (bench/grpc/echo-server.mjs,
// its own process) that answers with that reply. The load client (bench/grpc/load-client.mjs, its
// own process) keeps N unary calls in flight on one channel: a discarded warm-up, then the measured
// run, in the order catalog, echo, echo, catalog (half of BENCH_SECONDS each, so drift in the
// machine's load falls on both sides alike), same settings. Prints calls/s, p50/p99
// and the ratio catalog ÷ echo (target ≥ 0.8), and beside it each server's CPU per call (from
// /proc over the measured run), which drifts less than calls/s when the machine is shared.
//
// Env: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY (64), BENCH_DATABASE_URL,
// BENCH_REDIS_URL, BENCH_SKIP_BUILD=true (copy the existing dist/ instead of building).
import fs from 'node:fs';
import path from 'node:path';
import { callMetadata, grpc, serviceConstructor } from './lib/grpc.mjs';
import {
  freePort,
  freshDatabases,
  freshRedisPrefix,
  grpcServing,
  launchContext,
  onCleanup,
  prepareBuild,
  printComparison,
  run,
  runNode,
  say,
  SECONDS,
  servicePorts,
  startProcess,
  startService,
  waitFor,
  WARMUP,
} from './lib/harness.mjs';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);

/** One unary call from this (orchestrating) process; resolves to the reply or undefined. */
function unary(client, method, request, metadata) {
  return new Promise((resolve) => {
    client[method](request, metadata, { deadline: Date.now() + 2000 }, (error, reply) =>
      resolve(error ? undefined : reply),
    );
  });
}

async function load(name, target, productId, gatewayKey, serverPid, seconds) {
  say(`${name}: warm-up ${WARMUP} s (discarded), then ${seconds} s with ${CONCURRENCY} calls in flight`);
  const out = await runNode(['bench/grpc/load-client.mjs'], {
    env: {
      TARGET: target,
      PRODUCT_ID: productId,
      SERVICE_KEY: gatewayKey,
      CONCURRENCY: String(CONCURRENCY),
      SECONDS: String(seconds),
      WARMUP_SECONDS: String(WARMUP),
      SERVER_PID: String(serverPid),
    },
  });
  return JSON.parse(out);
}

/** One server's runs as one: calls/s over their time, quantiles over all their calls. */
function merged(runs) {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const cpu = runs.every((r) => r.serverCpuMs !== undefined)
    ? runs.reduce((sum, r) => sum + r.serverCpuMs, 0)
    : undefined;
  return {
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    serverCpuMsPerCall: cpu === undefined ? undefined : cpu / latencies.length,
    perRun: runs.map((r) => Math.round(r.rps)),
  };
}

run(async () => {
  const { work } = await prepareBuild();

  const db = await freshDatabases(['beneficiaries', 'catalog']);
  const ports = await servicePorts();
  const echoPort = await freePort();
  const ctx = launchContext({ databases: db, ports, redisKeyPrefix: await freshRedisPrefix() });
  const gatewayKey = ctx.secrets.SERVICE_KEYS.gateway.privateKey;
  say('beneficiaries and catalog log at LOG_LEVEL=warn');
  const register = startService(work, 'beneficiaries', ctx);
  const nodeArgs = (process.env.BENCH_CATALOG_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const catalog = startService(work, 'catalog', ctx, { nodeArgs });
  await waitFor('beneficiaries gRPC health', () => grpcServing(ports.beneficiaries), { child: register });

  const Client = serviceConstructor('catalog', 'CatalogService');
  const client = new Client(`127.0.0.1:${ports.catalog}`, grpc.credentials.createInsecure());
  onCleanup(() => client.close());
  const metadata = (method) =>
    callMetadata({
      key: gatewayKey,
      from: 'gateway',
      name: 'catalog',
      serviceName: 'CatalogService',
      method,
      caller: null,
    });
  const listing = await waitFor(
    'catalog ListProducts',
    async () => {
      const reply = await unary(
        client,
        'listProducts',
        { page: { page: 1, pageSize: 1 } },
        metadata('ListProducts'),
      );
      return reply?.products?.length > 0 ? reply : undefined;
    },
    { child: catalog, everyMs: 250 },
  );
  const productId = listing.products[0].id;
  const reply = await unary(client, 'getProduct', { id: productId }, metadata('GetProduct'));
  if (!reply?.product) {
    throw new Error(`catalog GetProduct(${productId}) gave no product`);
  }
  const encodedSize = Client.service.GetProduct.responseSerialize(reply).length;
  say(`product ${productId}: GetProductResponse is ${encodedSize} bytes on the wire`);
  const productFile = path.join(work, 'product.json');
  fs.writeFileSync(productFile, JSON.stringify(reply));

  const echo = startProcess('echo', ['bench/grpc/echo-server.mjs'], {
    env: { GRPC_PORT: String(echoPort), PRODUCT_FILE: productFile },
    quiet: true,
  });
  const echoClient = new Client(`127.0.0.1:${echoPort}`, grpc.credentials.createInsecure());
  onCleanup(() => echoClient.close());
  const echoReply = await waitFor(
    'echo server',
    () => unary(echoClient, 'getProduct', { id: productId }, metadata('GetProduct')),
    { child: echo },
  );
  if (Client.service.GetProduct.responseSerialize(echoReply).length !== encodedSize) {
    throw new Error('echo reply differs in size from catalog reply');
  }

  // catalog, echo, echo, catalog: each side gets the same share of a machine whose load drifts.
  const servers = {
    catalog: { target: `127.0.0.1:${ports.catalog}`, pid: catalog.pid, runs: [] },
    echo: { target: `127.0.0.1:${echoPort}`, pid: echo.pid, runs: [] },
  };
  for (const name of ['catalog', 'echo', 'echo', 'catalog']) {
    const server = servers[name];
    server.runs.push(await load(name, server.target, productId, gatewayKey, server.pid, SECONDS / 2));
  }
  const catalogResult = merged(servers.catalog.runs);
  const echoResult = merged(servers.echo.runs);

  printComparison({
    title: `GetProduct unary  (load client: one channel, ${CONCURRENCY} calls in flight; catalog, echo, echo, catalog, each ${SECONDS / 2} s measured after ${WARMUP} s warm-up; catalog at LOG_LEVEL=warn)`,
    unit: 'calls/s',
    subject: { name: 'catalog', value: catalogResult },
    baseline: { name: 'grpc-js echo', value: echoResult },
    target: 0.8,
  });
  const [catalogCpu, echoCpu] = [catalogResult.serverCpuMsPerCall, echoResult.serverCpuMsPerCall];
  if (catalogCpu !== undefined && echoCpu !== undefined) {
    // Each server is one event loop: with a core to itself, its calls/s would be 1000 ÷ this.
    console.log(
      `  server CPU per call: catalog ${catalogCpu.toFixed(3)} ms, echo ${echoCpu.toFixed(3)} ms` +
        `   (echo ÷ catalog = ${(echoCpu / catalogCpu).toFixed(2)})`,
    );
  }
  console.log(
    `  calls/s per run: catalog ${catalogResult.perRun.join(' and ')}, echo ${echoResult.perRun.join(' and ')}`,
  );
});
