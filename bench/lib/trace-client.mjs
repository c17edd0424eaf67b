// The load client of `npm run bench:trace`: a process of its own (forked by bench/trace.mjs, told
// what to do over IPC), so that its collector and event loop are only its own, not those of the
// harness that filled the database and keeps the services' output.
//
// It calls `TraceOrder` (signed as the gateway for a relief officer) on random orders with
// `concurrency` calls in flight, checks every answer (one line, three households, net paid =
// gross), and times each call from before the request to the callback with the answer: every
// call, none left out. The latencies go into a preallocated Float64Array (no array of boxed
// numbers that outlives many collections). Its own stalls while it measures (the event loop's
// delay, its collector's pauses) are answered beside the figures, since a stall of the client
// lengthens every call in flight as much as one of the ledger.
//
// Messages: {warm: seconds} runs and discards; {measure: seconds, trace} runs and answers the
// figures ({trace: true}: also each call's start on the monotonic clock in µs and its ms, for
// bench/shares-tail.mjs). Config from the first message's `config`.
import crypto from 'node:crypto';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { orderUuid } from './ledger-fill.mjs';
import { serviceConstructor, signedMetadata, serviceClient } from './grpc.mjs';

/** Latencies and starts of calls, in typed arrays that grow by doubling. */
class Calls {
  constructor(capacity) {
    this.count = 0;
    this.ms = new Float64Array(capacity);
    this.atUs = new Float64Array(capacity);
  }

  add(atUs, ms) {
    if (this.count === this.ms.length) {
      const grow = (old) => {
        const bigger = new Float64Array(old.length * 2);
        bigger.set(old);
        return bigger;
      };
      this.ms = grow(this.ms);
      this.atUs = grow(this.atUs);
    }
    this.atUs[this.count] = atUs;
    this.ms[this.count] = ms;
    this.count += 1;
  }
}

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

function start(config) {
  const client = serviceClient('ledger', 'LedgerService', config.address);
  const metadata = signedMetadata({
    key: config.key,
    from: 'gateway',
    name: 'ledger',
    serviceName: 'LedgerService',
    method: 'TraceOrder',
    caller: config.officer,
  });
  const problems = [];
  // One answer's size, encoded again from what the client decoded (proto3: within a few bytes of
  // what the ledger sent).
  const encode = serviceConstructor('ledger', 'LedgerService').service.TraceOrder.responseSerialize;
  let replyBytes;
  const trace = (n) =>
    new Promise((resolve, reject) => {
      const orderId = orderUuid('order', n);
      client.traceOrder({ orderId }, metadata(), { deadline: Date.now() + 120_000 }, (error, reply) => {
        if (error) {
          reject(error);
          return;
        }
        replyBytes ??= encode(reply).length;
        const line = reply.lines?.[0];
        const gross = (1 + (n % 5)) * (2000 + (n % 200) * 37);
        if (
          reply.lines?.length !== 1 ||
          line.households?.length !== 3 ||
          Number(reply.netPaid?.fen) !== gross
        ) {
          if (problems.length < 5) {
            problems.push(`order ${n} traced wrong: ${JSON.stringify(reply).slice(0, 300)}`);
          }
        }
        resolve();
      });
    });

  /** `concurrency` workers calling `trace` on random orders for `seconds`. */
  const load = async (seconds) => {
    const calls = new Calls(Math.max(1024, seconds * 4096));
    const until = Date.now() + seconds * 1000;
    const worker = async () => {
      while (Date.now() < until) {
        const n = crypto.randomInt(config.orders);
        const t0 = process.hrtime.bigint();
        await trace(n);
        const t1 = process.hrtime.bigint();
        calls.add(Number(t0 / 1000n), Number(t1 - t0) / 1e6);
      }
    };
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: config.concurrency }, worker));
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    return { calls, elapsed, startUs: Number(started / 1000n) };
  };

  const measure = async (seconds, withTrace) => {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    const gc = { count: 0, ms: 0, longest: 0 };
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        gc.count += 1;
        gc.ms += entry.duration;
        gc.longest = Math.max(gc.longest, entry.duration);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    delay.enable();
    const cpu = process.cpuUsage();
    const { calls, elapsed, startUs } = await load(seconds);
    const used = process.cpuUsage(cpu);
    delay.disable();
    observer.disconnect();
    const sorted = calls.ms.slice(0, calls.count).sort();
    const firstOver10 = sorted.findIndex((x) => x > 10);
    const traced = [];
    if (withTrace) {
      for (let i = 0; i < calls.count; i++) {
        traced.push([calls.atUs[i], Number(calls.ms[i].toFixed(3))]);
      }
    }
    return {
      calls: calls.count,
      rps: calls.count / elapsed,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      over10: firstOver10 < 0 ? 0 : sorted.length - firstOver10,
      cpuMs: (used.user + used.system) / 1000,
      stalls: { delayP99: delay.percentile(99) / 1e6, delayMax: delay.max / 1e6, gc },
      problems,
      replyBytes,
      ...(withTrace ? { startUs, endUs: Number(process.hrtime.bigint() / 1000n), trace: traced } : {}),
    };
  };
  return { load, measure, close: () => client.close() };
}

let session;
process.on('message', async (message) => {
  try {
    session ??= start(message.config);
    if (message.warm !== undefined) {
      await session.load(message.warm);
      process.send({ warmed: true });
    } else if (message.measure !== undefined) {
      process.send({ figures: await session.measure(message.measure, message.trace) });
    } else if (message.close) {
      session.close();
      process.disconnect();
    }
  } catch (error) {
    process.send({ error: String(error.stack ?? error) });
  }
});
