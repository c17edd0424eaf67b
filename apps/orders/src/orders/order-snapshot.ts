import type { OrderRecord } from './order.repository';

/** The order as an event carries it: every line, amounts in fen, dates as ISO strings. */
export function snapshotOf(order: OrderRecord): Record<string, unknown> {
  const {
    requestHash: _hash,
    clientSecret: _secret,
    idempotencyKey: _key,
    refunds: _refunds,
    ...rest
  } = order;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}
