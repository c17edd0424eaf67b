import { NotFound } from '@yugong/shared/errors';

/** No trace of the order for this caller: not posted, or not theirs. */
export class OrderTraceNotFound extends NotFound {
  constructor(orderId: string) {
    super('order trace', orderId);
  }
}
