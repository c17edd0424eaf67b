import { CheckoutLockStore } from './checkout-lock.store';

/**
 * Checkout locks in this process, for a single machine without Redis. A lock is released in a
 * `finally`, and a process that dies loses its locks with it, so the map holds only checkouts in
 * flight; a lapsed lease is dropped when next looked at.
 */
export class MemoryCheckoutLockStore extends CheckoutLockStore {
  /** Key → when its lease lapses (ms). */
  private readonly leases = new Map<string, number>();

  constructor(
    /** The clock, in ms; tests move it. */
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async acquire(key: string, leaseMs: number): Promise<boolean> {
    if (this.held(key)) {
      return false;
    }
    this.leases.set(key, this.now() + leaseMs);
    return true;
  }

  async release(key: string): Promise<void> {
    this.leases.delete(key);
  }

  async isHeld(key: string): Promise<boolean> {
    return this.held(key);
  }

  private held(key: string): boolean {
    const until = this.leases.get(key);
    if (until !== undefined && until <= this.now()) {
      this.leases.delete(key);
      return false;
    }
    return until !== undefined;
  }
}
