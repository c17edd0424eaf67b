import { createHash } from 'node:crypto';

/** What of a checkout request its idempotency key must always come with. */
export interface CheckoutRequestTerms {
  paymentMethod: string;
  donationFen: number;
  roundUp: boolean;
}

/**
 * The fingerprint stored with an order as `request_hash`: a repeat of the checkout with the same
 * Idempotency-Key answers the order only when its fingerprint is the same (else it is refused).
 * The cart is not part of it: a repeat after the cart was emptied still finds its order.
 *
 * Pure and dependency-free, so that anything writing orders as orders does (the checkout
 * benchmark's bare baseline) takes it from here rather than copying it.
 */
export function checkoutRequestHash(terms: CheckoutRequestTerms): string {
  return createHash('sha256')
    .update(JSON.stringify([terms.paymentMethod, terms.donationFen, terms.roundUp]))
    .digest('base64url');
}
