import { Redis } from 'ioredis';
import { describeWithRedis, flushRedisPrefix, testRedisUrl, uniqueRedisPrefix } from './redis';

describe(uniqueRedisPrefix.name, () => {
  it('gives every caller a prefix of its own', () => {
    const sut = uniqueRedisPrefix('Cart Spec');
    expect(sut).toMatch(/^t:cart_spec:[0-9a-f]{12}:$/);
    expect(uniqueRedisPrefix('cart')).not.toBe(uniqueRedisPrefix('cart'));
  });
});

describeWithRedis(flushRedisPrefix.name, () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(testRedisUrl() as string, { lazyConnect: true, maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await redis?.quit();
  });

  it('deletes the keys under its prefix and no others', async () => {
    const mine = uniqueRedisPrefix('flush');
    const theirs = uniqueRedisPrefix('flush');
    await redis.mset(`${mine}a`, '1', `${mine}b`, '2', `${theirs}a`, '3');

    expect(await flushRedisPrefix(redis, mine)).toBe(2);

    expect(await redis.exists(`${mine}a`, `${mine}b`)).toBe(0);
    expect(await redis.get(`${theirs}a`)).toBe('3');
    await flushRedisPrefix(redis, theirs);
  });
});
