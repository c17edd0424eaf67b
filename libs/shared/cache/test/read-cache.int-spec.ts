import { describeWithRedis, testRedisUrl, uniqueRedisPrefix } from '@yugong/shared/testing';
import { ReadCache } from '../src';

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe(`${ReadCache.name} in one process`, () => {
  it('loads once for concurrent misses and serves hits after', async () => {
    const sut = await ReadCache.open(undefined, { namespace: 'local', localTtlMs: 60_000 });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'v1';
    };
    const values = await Promise.all(Array.from({ length: 10 }, () => sut.getOrLoad('k', load)));
    expect(values).toEqual(Array(10).fill('v1'));
    expect(await sut.getOrLoad('k', load)).toBe('v1');
    expect(loads).toBe(1);
    await sut.close();
  });

  it('forgets everything on invalidate', async () => {
    const sut = await ReadCache.open(undefined, { namespace: 'local' });
    await sut.getOrLoad('k', async () => 'old');
    await sut.invalidate();
    expect(await sut.getOrLoad('k', async () => 'new')).toBe('new');
    await sut.close();
  });
});

describeWithRedis(`${ReadCache.name} across processes`, () => {
  const caches: ReadCache[] = [];
  let namespace: string;

  beforeEach(() => {
    namespace = `${uniqueRedisPrefix('read-cache')}products`;
  });

  afterEach(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()));
  });

  async function open(): Promise<ReadCache> {
    const cache = await ReadCache.open(testRedisUrl(), { namespace, localTtlMs: 60_000 });
    caches.push(cache);
    return cache;
  }

  it('shares loaded values through Redis', async () => {
    const first = await open();
    const second = await open();
    await first.getOrLoad('list', async () => 'from-db');
    let loads = 0;
    expect(
      await second.getOrLoad('list', async () => {
        loads++;
        return 'again';
      }),
    ).toBe('from-db');
    expect(loads).toBe(0);
  });

  it("drops every process's copy when a writer invalidates", async () => {
    const readerA = await open();
    const readerB = await open();
    const writer = await open();
    await readerA.getOrLoad('list', async () => 'old');
    await readerB.getOrLoad('list', async () => 'old');
    await writer.invalidate();
    for (const reader of [readerA, readerB]) {
      await eventually(async () => (await reader.getOrLoad('list', async () => 'new')) === 'new');
    }
  });

  it('never serves a value loaded before an invalidation that raced it', async () => {
    const reader = await open();
    const writer = await open();
    let release!: () => void;
    const slowLoad = reader.getOrLoad(
      'list',
      () => new Promise<string>((resolve) => (release = () => resolve('stale'))),
    );
    await writer.invalidate();
    await eventually(async () => (await reader.getOrLoad('probe', async () => 'x')) === 'x');
    release();
    expect(await slowLoad).toBe('stale'); // the racing caller gets what it loaded...
    // ...but nobody after the invalidation does.
    await eventually(async () => (await reader.getOrLoad('list', async () => 'fresh')) === 'fresh');
    const other = await open();
    expect(await other.getOrLoad('list', async () => 'fresh')).toBe('fresh');
  });
});
