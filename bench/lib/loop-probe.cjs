// Preloaded into a benchmark's process (`node --require ./bench/lib/loop-probe.cjs …`) to tell
// where a latency tail goes: the process's own work, its garbage collector, or waiting for a CPU.
// Every second it records the event loop's delay (perf_hooks.monitorEventLoopDelay, 5 ms
// resolution), the collector's pauses, the CPU the process used and how long its main thread
// waited runnable for a core (run_delay of /proc/<pid>/task/<pid>/schedstat: the scheduler's
// share, which no profile shows). Each pause of 0.5 ms or more is listed with its start on the
// monotonic clock in microseconds (the clock of V8's .cpuprofile and of process.hrtime), so it
// can be laid against a slow call. Written as JSON to LOOP_PROBE_FILE at exit;
// nothing is done unless LOOP_PROBE_FILE is set.
'use strict';
const fs = require('node:fs');
const { monitorEventLoopDelay, PerformanceObserver, performance } = require('node:perf_hooks');

const file = process.env.LOOP_PROBE_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // performance.now() (ms since the time origin) to the monotonic clock in µs.
  const offsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
  const pauses = [];
  let second = { gcCount: 0, gcMs: 0, gcMaxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      second.gcCount += 1;
      second.gcMs += entry.duration;
      second.gcMaxMs = Math.max(second.gcMaxMs, entry.duration);
      if (entry.duration >= 0.5) {
        pauses.push({
          atUs: Math.round(entry.startTime * 1000 + offsetUs),
          ms: Number(entry.duration.toFixed(2)),
          kind: entry.detail?.kind,
        });
      }
    }
  }).observe({ entryTypes: ['gc'] });
  const runDelayMs = () => {
    try {
      const fields = fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ');
      return Number(fields[1]) / 1e6;
    } catch {
      return NaN;
    }
  };
  const seconds = [];
  let lastCpu = process.cpuUsage();
  let lastRunDelay = runDelayMs();
  const sample = () => {
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    const runDelay = runDelayMs();
    seconds.push({
      atUs: Math.round(Number(process.hrtime.bigint() / 1000n)),
      loopDelayMaxMs: Number((delay.max / 1e6).toFixed(2)),
      loopDelayP99Ms: Number((delay.percentile(99) / 1e6).toFixed(2)),
      loopDelayMeanMs: Number((delay.mean / 1e6).toFixed(2)),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      runDelayMs: Number((runDelay - lastRunDelay).toFixed(2)),
      ...second,
      gcMs: Number(second.gcMs.toFixed(2)),
      gcMaxMs: Number(second.gcMaxMs.toFixed(2)),
    });
    lastRunDelay = runDelay;
    second = { gcCount: 0, gcMs: 0, gcMaxMs: 0 };
    delay.reset();
  };
  setInterval(sample, 1000).unref();
  process.on('exit', () => {
    sample();
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, seconds, pauses }));
  });
}
