import request from 'supertest';
import type { Platform } from './platform';

/** How a checkout pays: the body of `POST /checkout`. */
export interface CheckoutBody {
  paymentMethod: 'manual' | 'stripe';
  donationFen?: number;
}

/**
 * Puts `quantity` units of `productId` in the cart of the buyer whose `headers` are given
 * (expecting 201), then checks out with `body` under the Idempotency-Key `key`. Answers the
 * checkout's response, its status not checked.
 */
export async function addAndCheckOut(
  platform: Platform,
  headers: Record<string, string>,
  item: { productId: string; quantity: number },
  key: string,
  body: CheckoutBody = { paymentMethod: 'manual' },
): Promise<request.Response> {
  await request(platform.http).post('/api/v1/cart/items').set(headers).send(item).expect(201);
  return request(platform.http).post('/api/v1/checkout').set(headers).set('Idempotency-Key', key).send(body);
}
