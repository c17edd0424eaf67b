import { FailedPrecondition } from '@yugong/shared/errors';

/** A payment would take the producer's commitment receivable below zero. */
export class ReceivableExceeded extends FailedPrecondition {
  constructor() {
    super('RECEIVABLE_EXCEEDED', "the payment is more than the producer's declared commitments still due", [
      { field: 'amountFen', reason: 'more than is due' },
    ]);
  }
}
