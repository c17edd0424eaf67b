import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const warned = new Set<string>();

/** The Redis tests may use (`REDIS_URL`, set by `npm test` when one is available), else undefined. */
export function testRedisUrl(): string | undefined {
  return process.env['REDIS_URL'] || undefined;
}

/**
 * `describe` for suites that need a real Redis: runs when `REDIS_URL` is set; otherwise skips the
 * block and says once which suite was skipped and why.
 */
export function describeWithRedis(name: string, fn: () => void): void {
  if (testRedisUrl()) {
    describe(name, fn);
    return;
  }
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(`skipping "${name}": no Redis: set REDIS_URL or install redis-server`);
  }
  describe.skip(name, fn);
}

/**
 * A key prefix of its own for one test file (`t:<label>:<random>:`), so that test files running
 * in parallel against one Redis never see each other's keys.
 */
export function uniqueRedisPrefix(label: string): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9_-]+/g, '_');
  return `t:${clean}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key that starts with `prefix`; returns how many it deleted. */
export async function flushRedisPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) {
    throw new Error('refusing to flush an empty prefix');
  }
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) {
      deleted += await redis.unlink(...keys);
    }
  } while (cursor !== '0');
  return deleted;
}
