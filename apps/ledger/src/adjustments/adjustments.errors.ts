import { FailedPrecondition, NotFound } from '@yugong/shared/errors';

export class SuspenseNotFound extends NotFound {
  constructor(transactionId: string) {
    super('suspense', transactionId);
  }
}

/** The payment was settled already, the other way. */
export class SuspenseAlreadySettled extends FailedPrecondition {
  constructor(outcome: string) {
    super('SUSPENSE_ALREADY_SETTLED', `this payment was ${outcome} already; a settlement is final`, [
      { field: 'outcome', reason: `already ${outcome}` },
    ]);
  }
}

/** More than waits to be allocated, or nothing waits. */
export class AllocationExceedsBalance extends FailedPrecondition {
  constructor(asked: number, held: number) {
    super(
      'ALLOCATION_EXCEEDS_BALANCE',
      `the producer's unallocated household share holds ${held} fen; ${asked} asked`,
      [{ field: 'amountFen', reason: `at most ${held}` }],
    );
  }
}

/** The key was used for another allocation. */
export class IdempotencyKeyReused extends FailedPrecondition {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for another allocation', [
      { field: 'idempotencyKey', reason: 'used for another request' },
    ]);
  }
}
