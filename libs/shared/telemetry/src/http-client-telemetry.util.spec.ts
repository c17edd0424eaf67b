import { pathTemplate } from './http-client-telemetry.util';

describe(pathTemplate.name, () => {
  it.each([
    ['/v1/payment_intents', '/v1/payment_intents'],
    ['/v1/payment_intents/pi_3NxYz12AbC/cancel', '/v1/payment_intents/{id}/cancel'],
    ['/v1/refunds/re_1AbcDEF', '/v1/refunds/{id}'],
    ['/v1/balance_transactions?created[gte]=1700000000&limit=100', '/v1/balance_transactions'],
    ['/v1/charges/ch_abc123/refunds', '/v1/charges/{id}/refunds'],
    ['/api/items/42', '/api/items/{id}'],
    ['/x/5f0c8e4a-1b2c-4d3e-8f9a-0b1c2d3e4f5a', '/x/{id}'],
  ])('names %s by %s', (path, template) => {
    expect(pathTemplate(path)).toBe(template);
  });
});
