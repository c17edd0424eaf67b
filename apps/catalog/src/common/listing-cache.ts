import { CacheNamespace, ReadCache } from '@yugong/shared/cache';

/** The catalogue read cache; catalog invalidates it after every change a listing can show. */
export abstract class ListingCache {
  abstract invalidate(): Promise<void>;
}

/** DI provider value: a ReadCache is a ListingCache. */
export async function openListingCache(redisUrl: string | undefined, keyPrefix: string): Promise<ReadCache> {
  return ReadCache.open(redisUrl, { namespace: `${keyPrefix}${CacheNamespace.catalogListing}` });
}
