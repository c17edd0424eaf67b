import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { lru } from '@yugong/shared/cache';

// Adds `size` hits to a fixed window that starts with its first hit; answers [total, ms left].
const TAKE_LEASE = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); left = tonumber(ARGV[2]) end
return { total, left }`;

interface Lease {
  /** Hits this process may still allow in the window without asking Redis. */
  remaining: number;
  /** Hits counted in Redis for the key when the lease was taken, plus those used since. */
  totalHits: number;
  windowEndsAt: number;
  blocked: boolean;
}

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

type RedisWithLease = Redis & {
  takeRateLease(key: string, size: number, ttlMs: number): Promise<[number, number]>;
};

/**
 * Rate-limit counters shared through Redis, taken in leases: a process reserves a few hits of a
 * client's window at once (one INCRBY) and spends them locally, so a busy client costs one Redis
 * round trip per lease instead of per request. The limit is never exceeded across processes —
 * reserved hits count in Redis whether spent or not — at the price of being up to `leaseSize - 1`
 * hits stricter per process and window. Leases are at most a tenth of the limit, so small limits
 * (sign-in) stay exact.
 */
export class LeasedThrottlerStorage implements ThrottlerStorage {
  private readonly leases = lru<string, Lease>(100_000);
  private readonly pending = new Map<string, Promise<Lease>>();
  private readonly redis: RedisWithLease;

  constructor(
    redis: Redis,
    private readonly leaseSize = 20,
  ) {
    if (!('takeRateLease' in redis)) {
      redis.defineCommand('takeRateLease', { numberOfKeys: 1, lua: TAKE_LEASE });
    }
    this.redis = redis as RedisWithLease;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    name: string,
  ): Promise<ThrottlerStorageRecord> {
    const id = `rate:${name}:${key}`;
    let lease = this.leases.get(id);
    // Renew when there is no lease, its window ended, or it is spent (concurrent callers may spend
    // a fresh lease before this one gets a hit of it: then it asks again).
    while (!lease || lease.windowEndsAt <= Date.now() || (lease.remaining === 0 && !lease.blocked)) {
      lease = await this.renew(id, ttl, limit);
    }
    const secondsLeft = Math.max(1, Math.ceil((lease.windowEndsAt - Date.now()) / 1000));
    if (lease.blocked) {
      return {
        totalHits: limit + 1,
        timeToExpire: secondsLeft,
        isBlocked: true,
        timeToBlockExpire: secondsLeft,
      };
    }
    lease.remaining--;
    lease.totalHits++;
    return { totalHits: lease.totalHits, timeToExpire: secondsLeft, isBlocked: false, timeToBlockExpire: 0 };
  }

  /** One lease request per key at a time; concurrent callers share it. */
  private renew(id: string, ttl: number, limit: number): Promise<Lease> {
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.take(id, ttl, limit).finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
    }
    return pending;
  }

  private async take(id: string, ttl: number, limit: number): Promise<Lease> {
    const size = Math.max(1, Math.min(this.leaseSize, Math.floor(limit / 10)));
    const [total, msLeft] = await this.redis.takeRateLease(id, size, ttl);
    const before = total - size;
    const granted = Math.max(0, Math.min(size, limit - before));
    const lease: Lease = {
      remaining: granted,
      totalHits: before,
      windowEndsAt: Date.now() + msLeft,
      blocked: granted === 0,
    };
    this.leases.set(id, lease, { ttl: msLeft });
    return lease;
  }
}
