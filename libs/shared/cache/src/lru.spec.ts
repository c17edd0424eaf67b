import { LRUCache } from 'lru-cache';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lru } from './lru';

/** The collector, which a test may call: garbage freed mid-measurement would skew `retained`. */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Bytes on the JS heap and in array buffers that `make` keeps alive. */
function retained(make: () => unknown): number {
  collect();
  const before = process.memoryUsage();
  const kept = make();
  collect();
  const after = process.memoryUsage();
  expect(kept).toBeDefined();
  return after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
}

describe('lru', () => {
  it('keeps at most `entries` entries, evicting the least recently used', () => {
    const cache = lru<string, number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('d', 4);
    expect(cache.size).toBe(3);
    expect([...cache.keys()].sort()).toEqual(['a', 'c', 'd']);
    for (let i = 0; i < 1_000; i += 1) {
      cache.set(`k${i}`, i);
    }
    expect(cache.size).toBe(3);
    expect([...cache.keys()].sort()).toEqual(['k997', 'k998', 'k999']);
  });

  it('honours a ttl', () => {
    let now = 1_000; // a clock of its own, so that a busy machine cannot expire the entry early
    const cache = lru<string, number>(10, { ttl: 20, ttlResolution: 0, perf: { now: () => now } });
    cache.set('a', 1);
    now += 19;
    expect(cache.get('a')).toBe(1);
    now += 2;
    expect(cache.get('a')).toBeUndefined();
  });

  it('takes no memory for entries it does not hold, where lru-cache `max` takes it up front', () => {
    const growing = retained(() => lru<string, string>(1_000_000, { ttl: 60_000 }));
    const preallocated = retained(() => new LRUCache<string, string>({ max: 1_000_000, ttl: 60_000 }));
    expect(growing).toBeLessThan(1024 * 1024);
    expect(preallocated).toBeGreaterThan(20 * 1024 * 1024);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => lru(0)).toThrow(/entries must be a positive integer, got 0/);
    expect(() => lru(2.5)).toThrow(RangeError);
  });
});
