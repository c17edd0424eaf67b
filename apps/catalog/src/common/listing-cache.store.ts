import { CacheNamespace, ReadCache } from '@yugong/shared/cache';

/**
 * The catalogue read cache (in process and in Redis), shared with the gateway: catalog caches
 * public product views in it and invalidates it after every change a reader can see.
 */
export abstract class ListingCache {
  abstract getOrLoad(key: string, load: () => Promise<string>): Promise<string>;
  abstract invalidate(): Promise<void>;
}

/** Opens the cache under this deployment's key prefix; a ReadCache is a ListingCache. */
export async function openListingCache(redisUrl: string | undefined, keyPrefix: string): Promise<ReadCache> {
  return ReadCache.open(redisUrl, { namespace: `${keyPrefix}${CacheNamespace.catalogListing}` });
}
