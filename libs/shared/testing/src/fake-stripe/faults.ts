/**
 * A fault for the next requests (see {@link FakeStripe.injectFaults}). Faults happen before the
 * request reaches the API logic: nothing changes and no idempotent result is stored, like a
 * load balancer or network failure in front of Stripe.
 */
export interface FakeStripeFault {
  /** Answer with this status and a Stripe `api_error` body. */
  status?: number;
  /** Wait this long before handling (or failing) the request. */
  delayMs?: number;
  /** Destroy the connection without answering (a connection error for the SDK). */
  reset?: boolean;
  /** Only requests whose `METHOD /path` matches count; others pass untouched. */
  match?: RegExp;
}

/** Faults queued for the next requests, used up in order. */
export class FaultQueue {
  private readonly faults: { fault: FakeStripeFault; left: number }[] = [];

  /** Queues `fault` for the next `count` matching requests. */
  add(count: number, fault: FakeStripeFault): void {
    if (count > 0) {
      this.faults.push({ fault, left: count });
    }
  }

  /** The fault for this request, if one is queued for it; counts it as used. */
  take(method: string, path: string): FakeStripeFault | undefined {
    const index = this.faults.findIndex(({ fault }) => !fault.match || fault.match.test(`${method} ${path}`));
    const entry = this.faults[index];
    if (!entry) {
      return undefined;
    }
    entry.left -= 1;
    if (entry.left <= 0) {
      this.faults.splice(index, 1);
    }
    return entry.fault;
  }
}
