import type { Redis } from 'ioredis';
import type { LRUCache } from 'lru-cache';
import { ChangeVersion } from './change-version';
import { lru } from './lru';
import { connectRedis } from './redis.util';

/** How long entries live in each tier. */
export interface ReadCacheSettings {
  /** Names the cached data, e.g. `catalog:products`; writers invalidate it as a whole. */
  namespace: string;
  /** Lifetime in this process; bounds staleness if an invalidation message is missed. */
  localTtlMs?: number;
  localMax?: number;
  /** Lifetime in Redis. */
  sharedTtlSeconds?: number;
}

/**
 * A two-tier read cache for data that is rebuildable from PostgreSQL: an in-process LRU in front
 * of Redis. Writers call `invalidate()`, which bumps a version number in Redis and publishes it;
 * every process keys its entries by version, so after the message arrives nothing older is served.
 * A loader that raced an invalidation writes under the old version, where nobody reads it.
 * Without Redis it works within one process only.
 */
export class ReadCache {
  private version = 0;
  private readonly local: LRUCache<string, string>;
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly sharedTtlSeconds: number;
  /** The namespace's version in Redis, moved by `invalidate`. */
  private readonly counter: ChangeVersion | undefined;

  private constructor(
    private readonly settings: ReadCacheSettings,
    private readonly redis: Redis | undefined,
    private readonly subscriber: Redis | undefined,
  ) {
    this.local = lru(settings.localMax ?? 1_000, { ttl: settings.localTtlMs ?? 1_000 });
    this.sharedTtlSeconds = settings.sharedTtlSeconds ?? 300;
    this.counter = redis && new ChangeVersion(redis, settings.namespace);
  }

  /** Opens the cache; with no `redisUrl` it is process-local. */
  static async open(redisUrl: string | undefined, settings: ReadCacheSettings): Promise<ReadCache> {
    if (!redisUrl) {
      return new ReadCache(settings, undefined, undefined);
    }
    const redis = connectRedis(redisUrl, `cache:${settings.namespace}`);
    const subscriber = connectRedis(redisUrl, `cache-sub:${settings.namespace}`);
    const cache = new ReadCache(settings, redis, subscriber);
    subscriber.on('message', (_channel: string, message: string) => cache.advanceTo(Number(message)));
    // After a reconnect a message may have been missed: read the version again.
    subscriber.on('ready', () => void cache.refreshVersion().catch(() => undefined));
    await subscriber.subscribe(cache.channel);
    await cache.refreshVersion();
    return cache;
  }

  private get channel(): string {
    return `${this.settings.namespace}:invalidated`;
  }

  private async refreshVersion(): Promise<void> {
    if (this.counter) {
      this.advanceTo(await this.counter.read());
    }
  }

  private advanceTo(version: number): void {
    if (Number.isFinite(version) && version > this.version) {
      this.version = version;
      this.local.clear();
    }
  }

  /**
   * The cached value for `key`, or the loader's result, cached in both tiers. Concurrent misses
   * for the same key in one process share one load. Redis errors degrade to loading.
   */
  async getOrLoad(key: string, load: () => Promise<string>): Promise<string> {
    const version = this.version;
    const localKey = `${version}:${key}`;
    const hit = this.local.get(localKey);
    if (hit !== undefined) {
      return hit;
    }
    const pending = this.inflight.get(localKey);
    if (pending) {
      return pending;
    }
    const loading = this.loadThrough(version, localKey, key, load).finally(() =>
      this.inflight.delete(localKey),
    );
    this.inflight.set(localKey, loading);
    return loading;
  }

  private async loadThrough(
    version: number,
    localKey: string,
    key: string,
    load: () => Promise<string>,
  ): Promise<string> {
    const sharedKey = `${this.settings.namespace}:${version}:${key}`;
    const shared = await this.redis?.get(sharedKey).catch(() => null);
    if (shared !== undefined && shared !== null) {
      this.local.set(localKey, shared);
      return shared;
    }
    const value = await load();
    this.local.set(localKey, value);
    await this.redis?.set(sharedKey, value, 'EX', this.sharedTtlSeconds).catch(() => undefined);
    return value;
  }

  /** The namespace version this process serves; pass it to `remember` with a value read under it. */
  get currentVersion(): number {
    return this.version;
  }

  /** A value held in this process for `key`, without loading or asking Redis. */
  peek(key: string): string | undefined {
    return this.local.get(`${this.version}:${key}`);
  }

  /**
   * Holds `value` in this process under `key` (e.g. a second name for an entry), unless the
   * namespace was invalidated since `version` was read: then the value may be stale and is dropped.
   */
  remember(key: string, value: string, version: number): void {
    if (version === this.version) {
      this.local.set(`${version}:${key}`, value);
    }
  }

  /** Drops every entry of the namespace, in this process at once and in the others on the message. */
  async invalidate(): Promise<void> {
    if (!this.redis || !this.counter) {
      this.advanceTo(this.version + 1);
      return;
    }
    const version = await this.counter.bump();
    this.advanceTo(version);
    await this.redis.publish(this.channel, String(version));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.redis?.quit(), this.subscriber?.quit()]);
  }
}

/** Cache namespaces shared between services (a writer invalidates what a reader caches). */
export const CacheNamespace = {
  /** Public catalogue reads: cached by the gateway, invalidated by catalog. */
  catalogListing: 'catalog:products',
  /** The LOGO licence terms: kept by orders at checkout, their version moved by licensing. */
  licenceTerms: 'licensing:terms',
} as const;
