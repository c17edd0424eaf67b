import {
  CartStore,
  cartKeyOf,
  MAX_CART_LINES,
  MAX_CART_QUANTITY,
  type CartLine,
  type CartOwner,
} from './cart.store';

interface StoredCart {
  lines: Map<string, number>;
  expiresAt: number;
}

/** How often expired carts are dropped from memory (they are never served past their expiry). */
const PRUNE_EVERY_MS = 60_000;

/**
 * Carts in this process, for a single machine without Redis: the same rules as `RedisCartStore`
 * (limits, idle expiry, merge), lost when the process restarts. Not shared between replicas.
 */
export class MemoryCartStore extends CartStore {
  private readonly carts = new Map<string, StoredCart>();
  private prunedAt: number;

  constructor(
    private readonly ttlSeconds: number,
    /** The clock, in ms; tests move it. */
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.prunedAt = now();
  }

  async read(owner: CartOwner): Promise<CartLine[]> {
    const cart = this.live(cartKeyOf(owner));
    if (!cart) {
      return [];
    }
    this.touch(cart);
    return [...cart.lines].map(([productId, quantity]) => ({ productId, quantity }));
  }

  async add(owner: CartOwner, productId: string, quantity: number): Promise<number | undefined> {
    const key = cartKeyOf(owner);
    const cart = this.live(key);
    const current = cart?.lines.get(productId);
    if (current === undefined && (cart?.lines.size ?? 0) >= MAX_CART_LINES) {
      return undefined;
    }
    if ((current ?? 0) + quantity > MAX_CART_QUANTITY) {
      return undefined;
    }
    const total = (current ?? 0) + quantity;
    this.touch(this.open(key, cart)).lines.set(productId, total);
    return total;
  }

  async set(owner: CartOwner, productId: string, quantity: number): Promise<boolean> {
    const key = cartKeyOf(owner);
    const cart = this.live(key);
    if (quantity === 0) {
      cart?.lines.delete(productId);
      if (cart?.lines.size === 0) {
        this.carts.delete(key);
      }
      return true;
    }
    if (!cart?.lines.has(productId) && (cart?.lines.size ?? 0) >= MAX_CART_LINES) {
      return false;
    }
    this.touch(this.open(key, cart)).lines.set(productId, quantity);
    return true;
  }

  async ttl(owner: CartOwner): Promise<number> {
    const cart = this.live(cartKeyOf(owner));
    return cart ? Math.round((cart.expiresAt - this.now()) / 1_000) : -2;
  }

  async clear(owner: CartOwner): Promise<void> {
    this.carts.delete(cartKeyOf(owner));
  }

  async merge(token: string, userId: string): Promise<void> {
    const fromKey = cartKeyOf({ token });
    const toKey = cartKeyOf({ userId });
    const from = this.live(fromKey);
    let to = this.live(toKey);
    for (const [productId, quantity] of from?.lines ?? []) {
      to = this.open(toKey, to);
      to.lines.set(productId, Math.min((to.lines.get(productId) ?? 0) + quantity, MAX_CART_QUANTITY));
    }
    this.carts.delete(fromKey);
    if (to) {
      this.touch(to);
    }
  }

  /** The cart under `key` unless it expired (then it is dropped). */
  private live(key: string): StoredCart | undefined {
    const now = this.now();
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = now;
      for (const [k, cart] of this.carts) {
        if (cart.expiresAt <= now) {
          this.carts.delete(k);
        }
      }
    }
    const cart = this.carts.get(key);
    if (cart && cart.expiresAt <= now) {
      this.carts.delete(key);
      return undefined;
    }
    return cart;
  }

  private open(key: string, cart: StoredCart | undefined): StoredCart {
    if (cart) {
      return cart;
    }
    const created = { lines: new Map<string, number>(), expiresAt: 0 };
    this.carts.set(key, created);
    return created;
  }

  private touch(cart: StoredCart): StoredCart {
    cart.expiresAt = this.now() + this.ttlSeconds * 1_000;
    return cart;
  }
}
