import { z } from 'zod';
import { MAX_CART_QUANTITY } from './cart.store';

/** An anonymous cart's token, as the gateway issued it; empty when signed in. */
export const tokenSchema = z.union([
  z.literal(''),
  z.string().regex(/^[A-Za-z0-9_-]{32,128}$/, 'must be the token the platform issued'),
]);

/** UpdateCartItem (0 removes the line); the base of the other item requests. */
export const cartItemSchema = z.object({
  cartToken: tokenSchema.default(''),
  productId: z.string().uuid('must be a UUID'),
  quantity: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(MAX_CART_QUANTITY, `must be at most ${MAX_CART_QUANTITY}`),
});

/** AddCartItem: at least one unit. */
export const addCartItemSchema = cartItemSchema.extend({
  quantity: cartItemSchema.shape.quantity.min(1, 'must be positive'),
});

/** RemoveCartItem: the product only. */
export const removeCartItemSchema = cartItemSchema.omit({ quantity: true });

/** GetCart: the caller's own cart, or the one the token names. */
export const getCartSchema = z.object({ cartToken: tokenSchema.default('') });

/** MergeCart: the anonymous cart to move into the signed-in caller's. */
export const mergeCartSchema = z.object({ cartToken: tokenSchema });
