import { AlreadyExists, FailedPrecondition, NotFound, ValidationFailed } from '@yugong/shared/errors';

export class ProducerNotFound extends NotFound {
  constructor(id: string) {
    super('producer', id);
  }
}

export class CreditCodeTaken extends AlreadyExists {
  constructor(creditCode: string) {
    super('producer', `a producer with credit code ${creditCode} already exists`, [
      { field: 'creditCode', reason: 'is already registered' },
    ]);
  }
}

export class IllegalProducerTransition extends FailedPrecondition {
  constructor(from: string, to: string) {
    super('ILLEGAL_PRODUCER_TRANSITION', `a ${from} producer cannot become ${to}`, [
      { field: 'status', reason: `cannot change from ${from} to ${to}` },
    ]);
  }
}

export class HouseholdShareChangeTaken extends AlreadyExists {
  constructor() {
    super(
      'householdShare',
      "a change of this producer's household share already takes effect at that instant",
      [{ field: 'effectiveFrom', reason: 'another change takes effect at the same instant' }],
    );
  }
}

export class StatusReasonRequired extends ValidationFailed {
  constructor(from: string, to: string) {
    super([{ field: 'reason', reason: `is required to move a ${from} producer to ${to}` }]);
  }
}
