import { FailedPrecondition, NotFound } from '@yugong/shared/errors';

export class PayoutBatchNotFound extends NotFound {
  constructor(id: string) {
    super('payoutBatch', id);
  }
}

/** No household or producer holds the minimum outside an open batch. */
export class NothingToPay extends FailedPrecondition {
  constructor(minimumFen: number) {
    super(
      'NOTHING_TO_PAY',
      `no household balance or producer payable of at least ${minimumFen} fen is waiting outside an open batch`,
      [{ field: 'minimumFen', reason: 'no household balance or producer payable reaches it' }],
    );
  }
}

/** A move the batch's state does not allow (draft → sent → settled, once each). */
export class PayoutBatchMoveRefused extends FailedPrecondition {
  constructor(state: string, to: string) {
    super('PAYOUT_BATCH_MOVE_REFUSED', `a ${state} payout batch cannot be ${to}`);
  }
}

/** Settled already with other failed lines. */
export class PayoutBatchSettled extends FailedPrecondition {
  constructor() {
    super('PAYOUT_BATCH_SETTLED', 'the payout batch was settled already with other failed lines');
  }
}

/** Another batch reserved the same balances at the same moment, or a refund took from them. */
export class PayoutBalanceChanged extends FailedPrecondition {
  constructor() {
    super('PAYOUT_BALANCE_CHANGED', 'household balances changed while the batch was made; try again');
  }
}
