import { FailedPrecondition } from '@yugong/shared/errors';
import { MAX_CART_LINES, MAX_CART_QUANTITY } from './cart.store';

/** Adding would pass the cart's limits. */
export class CartLimit extends FailedPrecondition {
  constructor() {
    super('CART_LIMIT', `a cart holds at most ${MAX_CART_LINES} products and ${MAX_CART_QUANTITY} of each`, [
      { field: 'quantity', reason: `would pass ${MAX_CART_QUANTITY} or ${MAX_CART_LINES} products` },
    ]);
  }
}

/** An anonymous caller named no cart. */
export class NoCart extends FailedPrecondition {
  constructor() {
    super('NO_CART', 'sign in or give the cart token', [
      { field: 'cartToken', reason: 'is required when not signed in' },
    ]);
  }
}

/** The product is unknown, unlisted or not on sale. */
export class ProductNotForSale extends FailedPrecondition {
  constructor() {
    super('PRODUCT_NOT_FOR_SALE', 'this product cannot be bought', [
      { field: 'productId', reason: 'is not for sale' },
    ]);
  }
}
