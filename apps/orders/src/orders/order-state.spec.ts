import fc from 'fast-check';
import { ORDER_STATUSES } from './order.entity';
import { IllegalTransition, transition, type OrderEventName } from './order-state';

const EVENTS: OrderEventName[] = ['pay', 'ship', 'deliver', 'complete', 'cancel', 'refund_all'];

describe(transition.name, () => {
  const sut = transition;

  it('walks the happy path pending_payment → paid → shipped → delivered → completed', () => {
    expect(sut('pending_payment', 'pay')).toEqual({ to: 'paid', changed: true });
    expect(sut('paid', 'ship')).toEqual({ to: 'shipped', changed: true });
    expect(sut('shipped', 'deliver')).toEqual({ to: 'delivered', changed: true });
    expect(sut('delivered', 'complete')).toEqual({ to: 'completed', changed: true });
  });

  it('cancels only before payment', () => {
    expect(sut('pending_payment', 'cancel')).toEqual({ to: 'cancelled', changed: true });
    for (const from of ['paid', 'shipped', 'delivered', 'completed', 'refunded'] as const) {
      expect(() => sut(from, 'cancel')).toThrow(IllegalTransition);
    }
  });

  it('never pays a cancelled order and never refunds an unpaid one', () => {
    expect(() => sut('cancelled', 'pay')).toThrow(IllegalTransition);
    expect(() => sut('pending_payment', 'refund_all')).toThrow(IllegalTransition);
    expect(() => sut('cancelled', 'refund_all')).toThrow(IllegalTransition);
  });

  it('treats a repeated legal move as a no-op, from every state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORDER_STATUSES), fc.constantFrom(...EVENTS), (from, event) => {
        let first: { to: string; changed: boolean };
        try {
          first = sut(from, event);
        } catch (error) {
          expect(error).toBeInstanceOf(IllegalTransition);
          return;
        }
        expect(sut(first.to as typeof from, event)).toEqual({ to: first.to, changed: false });
      }),
    );
  });
});
