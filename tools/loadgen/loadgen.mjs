#!/usr/bin/env node
// `npm run loadgen -- [--url http://127.0.0.1:3000] [--seconds 30] [--requests 100000]
//                     [--concurrency 16] [--mix browse=10,cart=3,checkout=1,trace=1]
//                     [--password <demo password>]`
// Puts a running platform under a buyer-like load (see load.mjs for the steps), shows a progress
// line while it runs, and ends with a table: requests, rate, p50 and p99 per step, refusals and
// errors. Bounded by --seconds and --requests, whichever comes first. Exits 1 if any step erred.
//
// `npm start` throttles each client address (600 requests and 20 sign-ins a minute); for a load
// from one machine start it with the limits raised:
//   RATE_LIMIT_PER_MINUTE=1000000 AUTH_RATE_LIMIT_PER_MINUTE=10000 npm start
import { SingleBar } from 'cli-progress';
import { parseArgs } from 'node:util';
import { DEFAULT_MIX, runLoad } from './load.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.LOADGEN_URL ?? 'http://127.0.0.1:3000' },
    seconds: { type: 'string', default: '30' },
    requests: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '16' },
    mix: { type: 'string' },
    password: { type: 'string', default: process.env.DEMO_PASSWORD ?? 'yugong-demo-2020' },
  },
});

function whole(name, min, max) {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(
      `--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(values[name])}`,
    );
    process.exit(2);
  }
  return n;
}

function mixOf(text) {
  if (!text) return DEFAULT_MIX;
  const mix = {};
  for (const part of text.split(',')) {
    const [step, weight] = part.split('=');
    if (!(step in DEFAULT_MIX) || !/^\d+$/.test(weight ?? '')) {
      console.error(
        `--mix: "${part}" is not step=weight with a step of ${Object.keys(DEFAULT_MIX).join(', ')}`,
      );
      process.exit(2);
    }
    mix[step] = Number(weight);
  }
  return mix;
}

const seconds = whole('seconds', 1, 86_400);
const maxRequests = whole('requests', 1, 100_000_000);
const bar = new SingleBar({
  format: 'loadgen |{bar}| {percentage}% | {value}/{total} s | {requests} steps, {rate}/s, {errors} errors',
  hideCursor: true,
  noTTYOutput: true,
  notTTYSchedule: 2000,
});

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');

try {
  let started = false;
  const summary = await runLoad({
    baseUrl: values.url,
    seconds,
    maxRequests,
    concurrency: whole('concurrency', 1, 1024),
    mix: mixOf(values.mix),
    officer: { email: 'officer@example.com', password: values.password },
    log: (line) => console.log(`loadgen ${line}`),
    onTick: (stats) => {
      const elapsed = Math.min(seconds, Math.round((Date.now() - stats.started) / 1000));
      const payload = {
        requests: stats.total,
        rate: fmt(stats.total / Math.max((Date.now() - stats.started) / 1000, 0.001)),
        errors: stats.errors,
      };
      if (!started) {
        bar.start(seconds, elapsed, payload);
        started = true;
      } else {
        bar.update(elapsed, payload);
      }
    },
  });
  bar.stop();
  console.log(`\nloadgen ${values.url}: ${summary.total} steps in ${fmt(summary.seconds, 1)} s\n`);
  console.table(
    summary.rows.map((r) => ({
      step: r.step,
      requests: r.requests,
      'per s': fmt(r.perSecond, 1),
      'p50 ms': fmt(r.p50, 1),
      'p99 ms': fmt(r.p99, 1),
      ok: r.ok,
      refused: r.refused,
      errors: r.errors,
    })),
  );
  for (const [title, samples] of [
    ['refused', summary.refusalSamples],
    ['errors', summary.errorSamples],
  ]) {
    if (samples.length > 0) {
      console.log(`${title}:`);
      for (const [detail, n] of samples.sort((a, b) => b[1] - a[1]).slice(0, 10)) {
        console.log(`  ${n} × ${detail}`);
      }
    }
  }
  process.exit(summary.errors > 0 ? 1 : 0);
} catch (error) {
  bar.stop();
  console.error(`loadgen: ${error.message}`);
  process.exit(1);
}
