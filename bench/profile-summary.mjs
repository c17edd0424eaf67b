#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time grouped by package (or by
// file for the workspace's own code), and the top functions by self time. For reading where a
// service spends a benchmark run. Only the busiest WINDOW seconds are counted (the load, not the
// boot or the idle tail); inclusive time is per function with everything it called, so a guard's
// line includes the Redis client it drives.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25] [window=13] [at]
// `at` fixes the window's start: microseconds of the monotonic clock (`process.hrtime`, the clock
// V8's profiles use), as a benchmark prints it for its measured calls; or, written `30s`, seconds
// into the profile (for a service whose boot is busier than its load).
import fs from 'node:fs';

const [file, top = '25', windowS = '13', at] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) {
  for (const child of node.children ?? []) {
    parent.set(child, node.id);
  }
}
const idleId = profile.nodes.find((node) => node.callFrame.functionName === '(idle)')?.id;

// Sample times, then the window of `windowS` seconds with the least idle time.
const times = [];
let t = 0;
for (const dt of profile.timeDeltas) {
  t += dt;
  times.push(t);
}
const span = Number(windowS) * 1e6;
const atStart =
  at === undefined
    ? undefined
    : at.endsWith('s')
      ? Number(at.slice(0, -1)) * 1e6
      : Number(at) - profile.startTime;
let best = { start: atStart ?? 0, busy: -1 };
for (let start = 0; atStart === undefined && start < t; start += 250_000) {
  let busy = 0;
  for (let i = 0; i < times.length; i += 1) {
    if (times[i] >= start && times[i] < start + span && profile.samples[i] !== idleId) {
      busy += profile.timeDeltas[i];
    }
  }
  if (busy > best.busy) {
    best = { start, busy };
  }
}
if (atStart !== undefined) {
  const perSecond = new Array(Math.ceil(t / 1e6)).fill(0);
  for (let i = 0; i < times.length; i += 1) {
    if (profile.samples[i] !== idleId) {
      perSecond[Math.floor(times[i] / 1e6)] += profile.timeDeltas[i] / 1e6;
    }
  }
  console.log(`busy per second: ${perSecond.map((b) => Math.round(b * 100)).join(' ')}`);
}
const self = new Map();
const inclusive = new Map();
let total = 0;
for (let i = 0; i < profile.samples.length; i += 1) {
  if (times[i] < best.start || times[i] >= best.start + span) {
    continue;
  }
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  const seen = new Set();
  for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id).callFrame;
    const key = `${frame.functionName || '(anonymous)'}  ${groupOf(frame)}:${frame.lineNumber + 1}`;
    if (!seen.has(key)) {
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  }
}

function groupOf({ url, functionName }) {
  if (!url) {
    return `(${functionName || 'program'})`;
  }
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) {
    return pkg[1];
  }
  if (url.startsWith('node:')) {
    return 'node core';
  }
  const own = url.match(/dist\/((?:apps|libs)\/.*)$/);
  return own ? own[1] : url.split('/').slice(-2).join('/');
}

const groups = new Map();
const functions = new Map();
for (const [id, time] of self) {
  const frame = byId.get(id).callFrame;
  const group = groupOf(frame);
  groups.set(group, (groups.get(group) ?? 0) + time);
  const fn = `${frame.functionName || '(anonymous)'}  ${group}:${frame.lineNumber + 1}`;
  functions.set(fn, (functions.get(fn) ?? 0) + time);
}
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`  ${((100 * time) / total).toFixed(1).padStart(5)} %  ${name}`);
  }
};
console.log(
  `${file}: window ${(best.start / 1e6).toFixed(1)}–${((best.start + span) / 1e6).toFixed(1)} s, busy ${((100 * (total - (self.get(idleId) ?? 0))) / total).toFixed(0)} %`,
);
print('self time by package / file', groups);
print('self time by function', functions);
print('inclusive time by function', inclusive);
