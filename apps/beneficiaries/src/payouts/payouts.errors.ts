import { FailedPrecondition, NotFound } from '@yugong/shared/errors';

/** A household of a payout file has no payout account (the ledger should have skipped it). */
export class PayoutAccountMissing extends FailedPrecondition {
  constructor(householdIds: string[]) {
    super(
      'PAYOUT_ACCOUNT_MISSING',
      `no payout account for ${householdIds.length} household(s) of the file`,
      householdIds
        .slice(0, 20)
        .map((id) => ({ field: 'lines', reason: `household ${id} has no payout account` })),
    );
  }
}

export class PayoutAccountNotSet extends NotFound {
  constructor(householdId: string) {
    super('payoutAccount', householdId);
  }
}
