import { FailedPrecondition } from '@yugong/shared/errors';
import type { OrderStatusName } from './order.entity';

/** The moves an order can make, by the event that makes them. */
export type OrderEventName = 'pay' | 'ship' | 'deliver' | 'complete' | 'cancel' | 'refund_all';

const MOVES: Record<OrderEventName, { from: OrderStatusName[]; to: OrderStatusName }> = {
  pay: { from: ['pending_payment'], to: 'paid' },
  ship: { from: ['paid'], to: 'shipped' },
  deliver: { from: ['shipped'], to: 'delivered' },
  complete: { from: ['delivered', 'shipped'], to: 'completed' },
  cancel: { from: ['pending_payment'], to: 'cancelled' },
  refund_all: { from: ['paid', 'shipped', 'delivered', 'completed'], to: 'refunded' },
};

/** An order may not make that move from where it stands. */
export class IllegalTransition extends FailedPrecondition {
  constructor(from: OrderStatusName, event: OrderEventName) {
    super('ILLEGAL_ORDER_TRANSITION', `an order that is ${from} cannot ${event.replace('_', ' ')}`, [
      { field: 'status', reason: `is ${from}` },
    ]);
  }
}

/**
 * Where an order goes on `event`: `{to, changed: true}` for a legal move; `{to: from, changed:
 * false}` when it is already where the event leads (a repeat is a no-op); IllegalTransition
 * otherwise.
 */
export function transition(
  from: OrderStatusName,
  event: OrderEventName,
): { to: OrderStatusName; changed: boolean } {
  const move = MOVES[event];
  if (from === move.to) {
    return { to: from, changed: false };
  }
  if (!move.from.includes(from)) {
    throw new IllegalTransition(from, event);
  }
  return { to: move.to, changed: true };
}

/** The states an order can be moved out of by `event`, for conditional updates. */
export function sourcesOf(event: OrderEventName): OrderStatusName[] {
  return MOVES[event].from;
}
