import type { Redis } from 'ioredis';
import { CheckoutLockStore } from './checkout-lock.store';

/** Checkout locks as Redis keys with a time to live: shared by every replica. */
export class RedisCheckoutLockStore extends CheckoutLockStore {
  constructor(private readonly redis: Redis) {
    super();
  }

  async acquire(key: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(key, '1', 'PX', leaseMs, 'NX')) === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.redis.del(key);
  }

  async isHeld(key: string): Promise<boolean> {
    return (await this.redis.exists(key)) > 0;
  }
}
