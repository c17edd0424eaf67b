import type { Redis } from 'ioredis';

/** Whose cart: a signed-in user's, or an anonymous one named by the token the gateway issued. */
export type CartOwner = { userId: string } | { token: string };

/** Most units of one product a cart holds. */
export const MAX_CART_QUANTITY = 999;
/** Most distinct products in one cart. */
export const MAX_CART_LINES = 100;

const keyOf = (owner: CartOwner) =>
  'userId' in owner ? `cart:user:${owner.userId}` : `cart:anon:${owner.token}`;

/**
 * Carts in Redis: one hash per cart (product id → quantity), expiring after `ttlSeconds` idle.
 * Nothing is held while a product sits in a cart; losing Redis loses carts and nothing else.
 */
export class CartStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** The cart's lines in the order products were added, refreshing its idle expiry. */
  async read(owner: CartOwner): Promise<{ productId: string; quantity: number }[]> {
    const key = keyOf(owner);
    const [[, raw]] = (await this.redis.multi().hgetall(key).expire(key, this.ttlSeconds).exec()) as [
      [Error | null, Record<string, string>],
    ];
    return Object.entries(raw).map(([productId, quantity]) => ({ productId, quantity: Number(quantity) }));
  }

  /** Adds to a line; answers the line's new quantity, or undefined when it would pass the limits. */
  async add(owner: CartOwner, productId: string, quantity: number): Promise<number | undefined> {
    const key = keyOf(owner);
    const [lines, current] = await Promise.all([this.redis.hlen(key), this.redis.hget(key, productId)]);
    if (current === null && lines >= MAX_CART_LINES) {
      return undefined;
    }
    if (Number(current ?? 0) + quantity > MAX_CART_QUANTITY) {
      return undefined;
    }
    const [[, total]] = (await this.redis
      .multi()
      .hincrby(key, productId, quantity)
      .expire(key, this.ttlSeconds)
      .exec()) as [[Error | null, number]];
    return total;
  }

  async set(owner: CartOwner, productId: string, quantity: number): Promise<void> {
    const key = keyOf(owner);
    if (quantity === 0) {
      await this.redis.hdel(key, productId);
      return;
    }
    await this.redis.multi().hset(key, productId, quantity).expire(key, this.ttlSeconds).exec();
  }

  /** Seconds until the cart expires if left alone; -2 when it does not exist. */
  ttl(owner: CartOwner): Promise<number> {
    return this.redis.ttl(keyOf(owner));
  }

  async clear(owner: CartOwner): Promise<void> {
    await this.redis.del(keyOf(owner));
  }

  /**
   * Moves an anonymous cart into a user's: quantities of a product in both add up (capped at the
   * line limit). Atomic in Redis, so a repeated merge finds nothing left to move.
   */
  async merge(token: string, userId: string): Promise<void> {
    await this.redis.eval(
      `local from = redis.call('HGETALL', KEYS[1])
       for i = 1, #from, 2 do
         local total = redis.call('HINCRBY', KEYS[2], from[i], tonumber(from[i + 1]))
         if total > tonumber(ARGV[2]) then redis.call('HSET', KEYS[2], from[i], ARGV[2]) end
       end
       redis.call('DEL', KEYS[1])
       if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
       return #from / 2`,
      2,
      keyOf({ token }),
      keyOf({ userId }),
      this.ttlSeconds,
      MAX_CART_QUANTITY,
    );
  }
}
