import { FailedPrecondition } from '@yugong/shared/errors';

/**
 * An order's earlier event has not been applied yet: the sender delivers it again later (the
 * relay backs off; the catch-up reads in order), and then this one applies.
 */
export class EventOutOfOrder extends FailedPrecondition {
  constructor(orderId: string, sequence: number, last: number) {
    super(
      'EVENT_OUT_OF_ORDER',
      `event ${sequence} of order ${orderId} arrived before event ${last + 1}; deliver it again later`,
      [{ field: 'event.sequence', reason: `must follow ${last} for this order` }],
    );
  }
}
