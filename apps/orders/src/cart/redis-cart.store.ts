import type { Redis } from 'ioredis';
import {
  CartStore,
  cartKeyOf as keyOf,
  MAX_CART_LINES,
  MAX_CART_QUANTITY,
  type CartLine,
  type CartOwner,
} from './cart.store';

/** Carts in Redis: one hash per cart (product id → quantity), expiring after `ttlSeconds` idle. */
export class RedisCartStore extends CartStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {
    super();
  }

  async read(owner: CartOwner): Promise<CartLine[]> {
    const key = keyOf(owner);
    // Two commands in one write (the client pipelines what is sent in one tick), no MULTI: the
    // expiry's refresh need not be atomic with the read.
    const [raw] = await Promise.all([this.redis.hgetall(key), this.redis.expire(key, this.ttlSeconds)]);
    return Object.entries(raw).map(([productId, quantity]) => ({ productId, quantity: Number(quantity) }));
  }

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

  /** One Lua script, so that two new lines set at once cannot both take the last place. */
  async set(owner: CartOwner, productId: string, quantity: number): Promise<boolean> {
    const key = keyOf(owner);
    if (quantity === 0) {
      await this.redis.hdel(key, productId);
      return true;
    }
    const done = await this.redis.eval(
      `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
         return 0
       end
       redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
       redis.call('EXPIRE', KEYS[1], ARGV[4])
       return 1`,
      1,
      key,
      productId,
      quantity,
      MAX_CART_LINES,
      this.ttlSeconds,
    );
    return done === 1;
  }

  ttl(owner: CartOwner): Promise<number> {
    return this.redis.ttl(keyOf(owner));
  }

  async clear(owner: CartOwner): Promise<void> {
    await this.redis.del(keyOf(owner));
  }

  /** One Lua script: atomic in Redis. */
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
