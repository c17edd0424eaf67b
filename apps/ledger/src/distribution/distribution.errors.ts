import { DomainError, FailedPrecondition, NotFound } from '@yugong/shared/errors';

export class DistributionRunNotFound extends NotFound {
  constructor(id: string) {
    super('distributionRun', id);
  }
}

/** Four eyes: the officer who proposed a run never approves or rejects it. */
export class FourEyesRequired extends DomainError {
  readonly kind = 'permission_denied';

  constructor(action: 'approve' | 'reject') {
    super(
      'FOUR_EYES_REQUIRED',
      `four-eyes rule: the officer who proposed a distribution run cannot ${action} it; another officer must`,
    );
  }
}

/** Only the proposer cancels a run (another officer rejects it). */
export class NotTheProposer extends DomainError {
  readonly kind = 'permission_denied';

  constructor() {
    super(
      'NOT_THE_PROPOSER',
      'only the officer who proposed a distribution run cancels it; another officer rejects it',
    );
  }
}

export class RunNotProposed extends FailedPrecondition {
  constructor(state: string) {
    super('RUN_NOT_PROPOSED', `the distribution run is ${state}: only a proposed run can be decided`);
  }
}

export class FundInsufficient extends FailedPrecondition {
  constructor(asked: number, available: number) {
    super('FUND_INSUFFICIENT', `the relief fund has ${available} fen to distribute; ${asked} asked`, [
      { field: 'totalFen', reason: `at most ${available}` },
    ]);
  }
}

export class NoRecipients extends FailedPrecondition {
  constructor(why: string) {
    super('NO_RECIPIENTS', why, [{ field: 'filter', reason: why }]);
  }
}
