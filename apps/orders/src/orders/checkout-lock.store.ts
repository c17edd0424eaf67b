/**
 * The in-flight lock of a checkout: a lease on its (buyer, Idempotency-Key) that at most one
 * request holds, until it releases it or the lease lapses. In Redis (`RedisCheckoutLockStore`),
 * or in this process when there is no Redis (`MemoryCheckoutLockStore`, one machine only).
 */
export abstract class CheckoutLockStore {
  /** Takes the lease on `key` for `leaseMs`; false while another holds it. */
  abstract acquire(key: string, leaseMs: number): Promise<boolean>;

  /** Gives the lease up (whoever holds it now). */
  abstract release(key: string): Promise<void>;

  /** True while someone holds the lease on `key`. */
  abstract isHeld(key: string): Promise<boolean>;
}
