/** Whose cart: a signed-in user's, or an anonymous one named by the token the gateway issued. */
export type CartOwner = { userId: string } | { token: string };

/** One product of a cart. */
export interface CartLine {
  productId: string;
  quantity: number;
}

/** Most units of one product a cart holds. */
export const MAX_CART_QUANTITY = 999;
/** Most distinct products in one cart. */
export const MAX_CART_LINES = 100;

/** The key of a cart, the same in every store. */
export const cartKeyOf = (owner: CartOwner) =>
  'userId' in owner ? `cart:user:${owner.userId}` : `cart:anon:${owner.token}`;

/**
 * Where carts live: one map per cart (product id → quantity), in the order products were added,
 * expiring after a time left idle. Nothing is held while a product sits in a cart; losing the
 * store loses carts and nothing else. In Redis (`RedisCartStore`), or in this process when there
 * is no Redis (`MemoryCartStore`, one machine only).
 */
export abstract class CartStore {
  /** The cart's lines in the order products were added, refreshing its idle expiry. */
  abstract read(owner: CartOwner): Promise<CartLine[]>;

  /** Adds to a line; answers the line's new quantity, or undefined when it would pass the limits. */
  abstract add(owner: CartOwner, productId: string, quantity: number): Promise<number | undefined>;

  /**
   * Sets a line's quantity, refreshing the idle expiry; 0 removes the line. Answers false, changing
   * nothing, when it would add a line to a cart already holding `MAX_CART_LINES`.
   */
  abstract set(owner: CartOwner, productId: string, quantity: number): Promise<boolean>;

  /** Seconds until the cart expires if left alone; -2 when it does not exist. */
  abstract ttl(owner: CartOwner): Promise<number>;

  abstract clear(owner: CartOwner): Promise<void>;

  /**
   * Moves an anonymous cart into a user's: quantities of a product in both add up (capped at the
   * line limit), atomically, so a repeated merge finds nothing left to move.
   */
  abstract merge(token: string, userId: string): Promise<void>;
}
