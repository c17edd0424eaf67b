#!/usr/bin/env node
// Where GetBenefitShares' slow calls go, from a `npm run bench:register` run made with
// BENCH_SHARES_TRACE=<dir> (and, for the service's functions, BENCH_REGISTER_NODE_ARGS="--cpu-prof
// --cpu-prof-dir=<dir>"). For the calls slower than the target (5 ms) against the others it sums,
// inside each call's own interval: the service's CPU profile (idle, the collector, its JS), the
// service's and the client's collector pauses; and per second of the measured run it sets the
// slow calls beside the run-queue wait of the service's and the client's main threads (the
// scheduler's share) and the event loop's delay, with the bare SQL run's figures for comparison.
// `npm run bench:trace` with BENCH_TRACE_TAIL=<dir> writes the same files for TraceOrder.
// Usage: node bench/shares-tail.mjs <dir> [target-ms=5]
import fs from 'node:fs';
import path from 'node:path';

const [dir, targetArg = '5'] = process.argv.slice(2);
const target = Number(targetArg);
const read = (name) => {
  const file = path.join(dir, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
};
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};

const profileFile = fs.readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
let samples; // [startUs, endUs, category]
if (profileFile) {
  const profile = JSON.parse(fs.readFileSync(path.join(dir, profileFile), 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const category = (id) => {
    const frame = byId.get(id).callFrame;
    if (
      frame.functionName === '(idle)' ||
      frame.functionName === '(garbage collector)' ||
      frame.functionName === '(program)'
    ) {
      return frame.functionName;
    }
    const pkg = frame.url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const where = pkg
      ? pkg[1]
      : frame.url.startsWith('node:')
        ? 'node core'
        : frame.url.split('/').slice(-2).join('/');
    return `${frame.functionName || '(anonymous)'} ${where}`;
  };
  samples = [];
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const dt = profile.timeDeltas[i];
    samples.push([t, t + dt, category(profile.samples[i])]);
    t += dt;
  }
}

/** Sums `entries` ([startUs, endUs, key]) overlapping [fromUs, toUs) into `into` (ms by key). */
function overlap(entries, fromUs, toUs, into) {
  for (const [start, end, key] of entries) {
    const ms = (Math.min(end, toUs) - Math.max(start, fromUs)) / 1000;
    if (ms > 0) {
      into.set(key, (into.get(key) ?? 0) + ms);
    }
  }
}

const servicePauses = (read('service-probe.json')?.pauses ?? []).map((p) => [
  p.atUs,
  p.atUs + p.ms * 1000,
  'service GC',
]);
for (const kind of ['grpc', 'pg']) {
  const run = read(`${kind}-calls.json`);
  if (!run) {
    continue;
  }
  const clientProbe = read(`${kind}-client-probe.json`);
  const clientPauses = (clientProbe?.pauses ?? []).map((p) => [p.atUs, p.atUs + p.ms * 1000, 'client GC']);
  const durations = run.calls.map(([, ms]) => ms);
  const slow = run.calls.filter(([, ms]) => ms > target);
  const fast = run.calls.filter(([, ms]) => ms <= target);
  console.log(
    `\n${run.label ?? (kind === 'grpc' ? 'GetBenefitShares over gRPC' : 'bare SQL through pg')}: ${run.calls.length} calls, p50 ${quantile(durations, 0.5).toFixed(2)} ms, p99 ${quantile(durations, 0.99).toFixed(2)} ms; ${slow.length} slower than ${target} ms (${((100 * slow.length) / run.calls.length).toFixed(1)} %)` +
      (run.backendRunDelayMs !== undefined
        ? `; its PostgreSQL backend waited ${run.backendRunDelayMs.toFixed(0)} ms for a core (${(run.backendRunDelayMs / run.calls.length).toFixed(2)} ms a call)`
        : ''),
  );
  for (const [label, set] of [
    [`slower than ${target} ms`, slow],
    [`${target} ms or faster`, fast],
  ]) {
    if (set.length === 0) {
      continue;
    }
    const sums = new Map();
    let wall = 0;
    for (const [atUs, ms] of set) {
      wall += ms;
      const toUs = atUs + ms * 1000;
      if (kind === 'grpc' && samples) {
        overlap(samples, atUs, toUs, sums);
      }
      overlap(kind === 'grpc' ? servicePauses : [], atUs, toUs, sums);
      overlap(clientPauses, atUs, toUs, sums);
    }
    console.log(
      `  ${label}: ${set.length} calls, ${(wall / set.length).toFixed(2)} ms a call; inside them, ms a call:`,
    );
    for (const [key, ms] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      console.log(`    ${(ms / set.length).toFixed(3).padStart(8)}  ${key}`);
    }
  }
  // Per second of the measured run: slow calls beside the scheduler's wait and the loop's delay.
  const perSecond = (probe) =>
    (probe?.seconds ?? []).filter((s) => s.atUs > run.startUs && s.atUs <= run.endUs + 1_000_000);
  const service = kind === 'grpc' ? perSecond(read('service-probe.json')) : [];
  const client = perSecond(clientProbe);
  console.log(
    '  per second: calls, slow, p99 ms | client: run-queue wait ms, loop delay max ms, CPU ms' +
      (service.length ? ' | service: run-queue wait ms, loop delay max ms, CPU ms, GC ms' : ''),
  );
  for (const c of client) {
    const inSecond = run.calls.filter(([atUs]) => atUs > c.atUs - 1_000_000 && atUs <= c.atUs);
    if (inSecond.length === 0) {
      continue;
    }
    const s = service.find((x) => Math.abs(x.atUs - c.atUs) < 500_000);
    const ms = inSecond.map(([, d]) => d);
    console.log(
      `    ${String(inSecond.length).padStart(4)} ${String(ms.filter((d) => d > target).length).padStart(4)} ${quantile(ms, 0.99).toFixed(1).padStart(6)} | ${c.runDelayMs.toFixed(1).padStart(6)} ${c.loopDelayMaxMs.toFixed(1).padStart(6)} ${String(c.cpuMs).padStart(4)}` +
        (s
          ? ` | ${s.runDelayMs.toFixed(1).padStart(6)} ${s.loopDelayMaxMs.toFixed(1).padStart(6)} ${String(s.cpuMs).padStart(4)} ${s.gcMs.toFixed(1).padStart(5)}`
          : ''),
    );
  }
}
