// The load generator of bench/grpc.mjs, in its own process: keeps CONCURRENCY unary GetProduct
// calls in flight on one channel for WARMUP_SECONDS (discarded), then SECONDS (measured), and
// prints {calls, seconds, rps, p50, p99, errors, serverCpuMs, serverCpuMsPerCall, latencies} as
// JSON. Latency in ms, from call to callback; the server's CPU (all its threads, from /proc) over the measured run ÷ calls,
// which on a shared machine says more than calls/s about what one call costs the server.
// Env: TARGET (host:port), PRODUCT_ID, SERVICE_KEY (the gateway's, which it signs as), CONCURRENCY,
// SECONDS, WARMUP_SECONDS, SERVER_PID (the server's process id; on Linux only).
import fs from 'node:fs';
import { cpuMsOf } from '../lib/cpu.mjs';
import { serviceClient, signedMetadata } from '../lib/grpc.mjs';

const { TARGET, PRODUCT_ID, SERVICE_KEY, SERVER_PID } = process.env;
const serverCpuMs = () =>
  SERVER_PID && fs.existsSync(`/proc/${SERVER_PID}/task`) ? cpuMsOf(SERVER_PID) : undefined;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const client = serviceClient('catalog', 'CatalogService', TARGET);
const metadata = signedMetadata({
  key: SERVICE_KEY,
  from: 'gateway',
  name: 'catalog',
  serviceName: 'CatalogService',
  method: 'GetProduct',
  caller: null,
});

function call() {
  return new Promise((resolve) => {
    client.getProduct({ id: PRODUCT_ID }, metadata(), { deadline: Date.now() + 5000 }, (error) =>
      resolve(error),
    );
  });
}

/** Runs the closed loop for `seconds`; returns the latencies (ms) and the error count. */
async function phase(seconds) {
  const latencies = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      const error = await call();
      if (error) {
        errors += 1;
      } else {
        latencies.push(performance.now() - started);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, errors, elapsed: (performance.now() - started) / 1000 };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

await phase(Number(process.env.WARMUP_SECONDS ?? 3));
const cpuBefore = serverCpuMs();
const { latencies, errors, elapsed } = await phase(Number(process.env.SECONDS ?? 10));
const cpuAfter = serverCpuMs();
latencies.sort((a, b) => a - b);
client.close();
console.log(
  JSON.stringify({
    calls: latencies.length,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors,
    serverCpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    // Every latency, to the µs, so that the runs of one server can be merged.
    latencies: latencies.map((ms) => Math.round(ms * 1000) / 1000),
    serverCpuMsPerCall:
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : (cpuAfter - cpuBefore) / latencies.length,
  }),
);
