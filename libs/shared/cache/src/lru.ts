import { LRUCache } from 'lru-cache';

/** What lru-cache accepts as a key or a value: anything but null and undefined. */
type Present = NonNullable<unknown>;

/** lru-cache's options but the bound, which `lru` sets. */
export type LruOptions<K extends Present, V extends Present> = Omit<
  LRUCache.Options<K, V, unknown>,
  'max' | 'maxSize' | 'sizeCalculation' | 'maxEntrySize'
>;

/**
 * An LRU cache of at most `entries` entries that takes memory as it fills. lru-cache's `max`
 * allocates its arrays for every entry up front (two pointers, two links, and two timestamps with
 * a `ttl`: 30–50 bytes an entry), so a bound of 100,000 costs megabytes before the first entry;
 * bounding the size at one per entry instead keeps the same eviction order and bound with arrays
 * that grow. Every cache sized for a busy production day uses this, so that a laptop running the
 * whole platform in one process does not carry them empty.
 */
export function lru<K extends Present, V extends Present>(
  entries: number,
  options: LruOptions<K, V> = {},
): LRUCache<K, V> {
  if (!Number.isInteger(entries) || entries < 1) {
    throw new RangeError(`lru: entries must be a positive integer, got ${entries}`);
  }
  return new LRUCache<K, V>({ ...options, maxSize: entries, sizeCalculation: () => 1 });
}
