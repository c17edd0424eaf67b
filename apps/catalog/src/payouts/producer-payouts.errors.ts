import { FailedPrecondition, NotFound } from '@yugong/shared/errors';

export class ProducerPayoutAccountNotSet extends NotFound {
  constructor(producerId: string) {
    super('producerPayoutAccount', producerId);
  }
}

/** A bank file asked for producers that have no payout account (set after the batch skipped none). */
export class ProducerPayoutAccountMissing extends FailedPrecondition {
  constructor(producerIds: string[]) {
    super(
      'PAYOUT_ACCOUNT_MISSING',
      `${producerIds.length} producer(s) of the batch have no payout account`,
      producerIds
        .slice(0, 20)
        .map((id) => ({ field: 'lines', reason: `producer ${id} has no payout account` })),
    );
  }
}
