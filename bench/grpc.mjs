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
// run, against catalog and then against the echo server, same settings. Prints calls/s, p50/p99
// and the ratio catalog ÷ echo (target ≥ 0.8).
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

async function load(name, target, productId, gatewayKey) {
  say(`${name}: warm-up ${WARMUP} s (discarded), then ${SECONDS} s with ${CONCURRENCY} calls in flight`);
  const out = await runNode(['bench/grpc/load-client.mjs'], {
    env: {
      TARGET: target,
      PRODUCT_ID: productId,
      SERVICE_KEY: gatewayKey,
      CONCURRENCY: String(CONCURRENCY),
      SECONDS: String(SECONDS),
      WARMUP_SECONDS: String(WARMUP),
    },
  });
  return JSON.parse(out);
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

  const catalogResult = await load('catalog', `127.0.0.1:${ports.catalog}`, productId, gatewayKey);

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
  const echoResult = await load('echo', `127.0.0.1:${echoPort}`, productId, gatewayKey);

  printComparison({
    title: `GetProduct unary  (load client: one channel, ${CONCURRENCY} calls in flight, ${SECONDS} s measured after ${WARMUP} s warm-up; catalog at LOG_LEVEL=warn)`,
    unit: 'calls/s',
    subject: { name: 'catalog', value: catalogResult },
    baseline: { name: 'grpc-js echo', value: echoResult },
    target: 0.8,
  });
});
