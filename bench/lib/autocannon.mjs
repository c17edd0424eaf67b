// The figures of an autocannon run, read the same way wherever autocannon runs. No side effects
// on import, so a load process can use it without the harness's cleanup handlers.

/** { rps, p50, p99, non2xx, errors, requests } of an autocannon result (its --json output). */
export function autocannonFigures(result) {
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
  };
}
