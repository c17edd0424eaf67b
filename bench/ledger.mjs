#!/usr/bin/env node
// `npm run bench:ledger`: sale transactions per second through the ledger's event consumer, each
// sale split across 10 households, against `pgbench -N` (TPC-B-like, no branch/teller updates) on
// the same PostgreSQL in the same run.
//
// What is measured. Beneficiaries and catalog start on fresh databases with the demo region (the
// environment of tools/runtime/services.mjs), and a lot of Yangguang's rabbit meat is created
// supplied by ten demo households (their quantities 10…19). The ledger starts on a fresh database.
// A load loop in this process then keeps BENCH_CONCURRENCY (16) `ConsumeOrderEvent` calls in flight,
// as orders' relay would send them: each an `order.paid` event of a new order with one line of 1–5
// units from that lot (household share 8 %), alternately card (a processor fee) and manual
// payment, every fourth with a donation. Each applied event is one sale transaction of 13–15
// postings (ten households, the producer, clearing, fee, donation) checked at commit, with the
// account totals moved by the posting trigger, the event recorded as applied, and its sale lines.
// Lots and villages come from the services once and are then cached, as in production. Counted:
// events answered `applied: true` during BENCH_SECONDS after BENCH_WARMUP_SECONDS; checked after:
// the ledger holds exactly that many sale transactions more, every one balanced (the trial balance
// nets to zero) and every household of the lot credited. Printed beside it: CPU per sale of the
// ledger, of the run's PostgreSQL backends and of this process (the load client), from /proc.
//
// The baseline: `pgbench -i -s 10` on a fresh database, then `pgbench -N -c <concurrency> -j 2
// -T BENCH_SECONDS` on the same server; its tps (without initial connection time).
//
// Env: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY (16), BENCH_DATABASE_URL,
// BENCH_SKIP_BUILD=true, BENCH_TIMEOUT_SECONDS (600), BENCH_LEDGER_NODE_ARGS (node flags of the ledger,
// e.g. --cpu-prof --cpu-prof-dir=tmp/profiles). Target: ratio ≥ 0.5.
import crypto from 'node:crypto';
import pg from 'pg';
import { cpuMeter, cpuPer } from './lib/cpu.mjs';
import { demoIds } from './lib/from-build.mjs';
import { pgbench } from './lib/pgbench.mjs';
import { callMetadata, serviceClient, signedMetadata } from './lib/grpc.mjs';
import {
  fmt,
  freePort,
  freshDatabases,
  launchContext,
  PG_URL,
  prepareBuild,
  run,
  say,
  SECONDS,
  servicePorts,
  startService,
  startWatchdog,
  waitReady,
  WARMUP,
} from './lib/harness.mjs';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TARGET = 0.5;

const unary = (client, method, request, metadata) =>
  new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: Date.now() + 30_000 }, (error, reply) =>
      error ? reject(error) : resolve(reply),
    ),
  );

const ts = (d) => ({ seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1e6 });
const cny = (fen) => ({ fen, currency: 'CNY' });

function saleEvent(n, { lot, producerId, productId }) {
  const quantity = 1 + (n % 5);
  const unit = 4_850;
  const donation = n % 4 === 0 ? 50 : 0;
  const orderId = crypto.randomUUID();
  const paidAt = new Date(Date.UTC(2020, 5, 1) + n * 1000);
  return {
    id: n + 1,
    eventId: crypto.randomUUID(),
    type: 'order.paid',
    orderId,
    sequence: 1,
    occurredAt: ts(paidAt),
    order: {
      id: orderId,
      buyerId: crypto.randomUUID(),
      status: 'ORDER_STATUS_PAID',
      lines: [
        {
          id: crypto.randomUUID(),
          productId,
          producerId,
          quantity,
          unitPrice: cny(unit),
          gross: cny(unit * quantity),
          householdShareBps: 800,
          allocations: [{ lotId: lot.id, lotCode: lot.lotCode, quantity }],
        },
      ],
      donation: cny(donation),
      total: cny(unit * quantity + donation),
      payment: {
        method: n % 2 === 0 ? 'PAYMENT_METHOD_STRIPE' : 'PAYMENT_METHOD_MANUAL',
        reference: `bench-${orderId}`,
        amountReceived: cny(unit * quantity + donation),
        paidAt: ts(paidAt),
      },
    },
  };
}

async function consumerLoad(client, metadata, fixture, seconds, startAt) {
  let n = startAt;
  let applied = 0;
  let failed = 0;
  const latencies = [];
  const deadline = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const event = saleEvent(n++, fixture);
      const t0 = process.hrtime.bigint();
      try {
        const reply = await unary(client, 'consumeOrderEvent', { event }, metadata());
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        applied += reply.applied ? 1 : 0;
      } catch (error) {
        failed++;
        if (failed === 1) {
          say(`a delivery failed: ${error.message}`);
        }
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    applied,
    failed,
    next: n,
    rps: applied / ((Date.now() - started) / 1000),
    p50: at(0.5),
    p99: at(0.99),
  };
}

run(async () => {
  startWatchdog();
  const { work, dist } = await prepareBuild();
  const { demoId, demoSupplierHouseholds } = demoIds(dist);
  const databases = await freshDatabases(['catalog', 'beneficiaries', 'ledger', 'pgbench']);
  const ports = await servicePorts();
  ports.orders = await freePort(); // nothing listens: the ledger's catch-up finds no orders
  const ctx = launchContext({ databases, ports });
  const started = {
    beneficiaries: startService(work, 'beneficiaries', ctx),
    catalog: startService(work, 'catalog', ctx),
    ledger: startService(work, 'ledger', ctx, {
      nodeArgs: (process.env.BENCH_LEDGER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      overrides: { CATCH_UP_INTERVAL_MS: '3600000', DB_POOL_MAX: String(CONCURRENCY) },
    }),
  };
  await waitReady(ports, started);

  const officer = { userId: crypto.randomUUID(), role: 'relief_officer', producerIds: [] };
  const catalog = serviceClient('catalog', 'CatalogService', `127.0.0.1:${ports.catalog}`);
  const households = demoSupplierHouseholds('yangguang').slice(0, 10);
  const productId = demoId('product', 'yangguang/rabbit-chilled');
  const producerId = demoId('producer', 'yangguang');
  const { lot } = await unary(
    catalog,
    'createLot',
    {
      productId,
      lotCode: `BENCH-${crypto.randomBytes(4).toString('hex')}`,
      producedOn: '2020-05-01',
      quantity: 1_000_000,
      suppliers: households.map((householdId, i) => ({ householdId, quantity: 10 + i })),
    },
    callMetadata({
      key: ctx.secrets.SERVICE_KEYS.gateway.privateKey,
      from: 'gateway',
      name: 'catalog',
      serviceName: 'CatalogService',
      method: 'CreateLot',
      caller: officer,
    }),
  );
  catalog.close();
  const fixture = { lot, producerId, productId };
  const consumer = serviceClient('orders', 'OrderEventsConsumerService', `127.0.0.1:${ports.ledger}`);
  // Signed as orders' relay signs its deliveries: by orders, for the ledger, acting for itself.
  const metadata = signedMetadata({
    key: ctx.secrets.SERVICE_KEYS.orders.privateKey,
    from: 'orders',
    name: 'orders',
    serviceName: 'OrderEventsConsumerService',
    method: 'ConsumeOrderEvent',
    caller: 'service',
    audience: 'ledger',
  });

  say(`warm-up ${WARMUP} s, then ${SECONDS} s of sales, ${CONCURRENCY} in flight`);
  const warm = await consumerLoad(consumer, metadata, fixture, WARMUP, 0);
  const sql = new pg.Client({ connectionString: databases.ledger });
  await sql.connect();
  const count = async () =>
    Number((await sql.query(`select count(*) as n from journal_transaction where kind = 'sale'`)).rows[0].n);
  const before = await count();
  const meter = await cpuMeter({
    pids: { ledger: started.ledger.pid },
    pgUrl: PG_URL,
    databases: [new URL(databases.ledger).pathname.slice(1)],
  });
  await meter.start();
  const ledger = await consumerLoad(consumer, metadata, fixture, SECONDS, warm.next);
  const cpu = await meter.stop();
  await meter.close();
  const after = await count();
  const { rows } = await sql.query(
    `select sum(case when type in ('asset', 'expense') then balance_fen else -balance_fen end)::bigint as net,
            count(*) filter (where owner_kind = 'household' and balance_fen > 0)::int as households
       from account_totals`,
  );
  await sql.end();
  consumer.close();
  const problems = [];
  if (after - before !== ledger.applied) {
    problems.push(`${after - before} sale transactions written, ${ledger.applied} events applied`);
  }
  if (Number(rows[0].net) !== 0) {
    problems.push(`the trial balance nets to ${rows[0].net}, not 0`);
  }
  if (rows[0].households !== 10) {
    problems.push(`${rows[0].households} households credited, not 10`);
  }
  if (ledger.failed > 0) {
    problems.push(`${ledger.failed} deliveries failed`);
  }

  say('pgbench -i -s 10, then pgbench -N');
  pgbench(databases.pgbench, ['-i', '-q', '-s', '10']);
  const out = pgbench(databases.pgbench, ['-N', '-c', String(CONCURRENCY), '-j', '2', '-T', String(SECONDS)]);
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
  const latency = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);

  const ratio = ledger.rps / tps;
  console.log(
    `\nSales through the ledger's consumer (10 households each) vs pgbench -N, ${CONCURRENCY} in flight, ${SECONDS} s`,
  );
  console.log(
    `  ledger sales      ${fmt(ledger.rps, 1).padStart(9)} tx/s   p50 ${fmt(ledger.p50, 2)} ms   p99 ${fmt(ledger.p99, 2)} ms   (${ledger.applied} applied)`,
  );
  console.log(`  CPU per sale      ${cpuPer(cpu, ledger.applied)}`);
  console.log(`  pgbench -N        ${fmt(tps, 1).padStart(9)} tx/s   latency average ${fmt(latency, 2)} ms`);
  console.log(
    `  ratio ledger ÷ pgbench -N = ${ratio.toFixed(2)}   (target ≥ ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'})`,
  );
  if (problems.length > 0) {
    throw new Error(`the run is invalid: ${problems.join('; ')}`);
  }
});
