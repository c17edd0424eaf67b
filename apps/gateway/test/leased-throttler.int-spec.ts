import { connectRedis } from '@yugong/shared/cache';
import { describeWithRedis, testRedisUrl, uniqueRedisPrefix } from '@yugong/shared/testing';
import type { Redis } from 'ioredis';
import { LeasedThrottlerStorage } from '../src/common/leased-throttler.storage';

describeWithRedis(LeasedThrottlerStorage.name, () => {
  const clients: Redis[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
  });

  function storage(prefix: string, leaseSize = 20): LeasedThrottlerStorage {
    const redis = connectRedis(testRedisUrl()!, 'throttle-test', prefix);
    clients.push(redis);
    return new LeasedThrottlerStorage(redis, leaseSize);
  }

  async function hammer(stores: LeasedThrottlerStorage[], requests: number, limit: number, ttlMs = 60_000) {
    const results = await Promise.all(
      Array.from({ length: requests }, (_, i) =>
        stores[i % stores.length].increment('client-1', ttlMs, limit, ttlMs, 'default'),
      ),
    );
    return results.filter((r) => !r.isBlocked).length;
  }

  it('never allows more than the limit across processes sharing Redis', async () => {
    const prefix = uniqueRedisPrefix('leased');
    const gateways = [storage(prefix), storage(prefix), storage(prefix)];
    const allowed = await hammer(gateways, 1_000, 300);
    expect(allowed).toBeLessThanOrEqual(300);
    // Each process may strand at most one lease (≤ 20 hits) of the window.
    expect(allowed).toBeGreaterThanOrEqual(300 - 3 * 20);
  });

  it('is exact for a small limit in one process', async () => {
    const sut = storage(uniqueRedisPrefix('leased-small'));
    expect(await hammer([sut], 50, 5)).toBe(5);
  });

  it('opens a new window when the old one ends', async () => {
    const sut = storage(uniqueRedisPrefix('leased-window'));
    // A window long enough that a busy machine cannot end it while the ten requests are made
    // (with 300 ms, one run let six through: the window ended mid-burst).
    expect(await hammer([sut], 10, 3, 3_000)).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    expect(await hammer([sut], 10, 3, 3_000)).toBe(3);
  });

  it('reports the hits so far and the seconds left', async () => {
    const sut = storage(uniqueRedisPrefix('leased-record'));
    const first = await sut.increment('c', 60_000, 100, 60_000, 'default');
    const second = await sut.increment('c', 60_000, 100, 60_000, 'default');
    expect(first).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(second.totalHits).toBe(2);
    expect(second.timeToExpire).toBeGreaterThan(55);
  });
});
