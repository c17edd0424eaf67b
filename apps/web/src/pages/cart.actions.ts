import { api, ok } from '../api/client';
import type { Cart } from '../api/views';

/** Adds `quantity` of a product to the cart (the signed-in buyer's, else this browser's). */
export function addToCart(productId: string, quantity: number): Promise<Cart> {
  return ok<Cart>(api.POST('/api/v1/cart/items', { body: { productId, quantity } }));
}
