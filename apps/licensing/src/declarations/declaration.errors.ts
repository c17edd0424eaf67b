import { AlreadyExists, FailedPrecondition, NotFound, ValidationFailed } from '@yugong/shared/errors';

export class DeclarationNotFound extends NotFound {
  constructor(id: string) {
    super('declaration', id);
  }
}

/** The licence and quarter have a declaration: a correction is not an overwrite (README). */
export class DeclarationAlreadyMade extends AlreadyExists {
  constructor(quarter: string) {
    super('declaration', `this licence's sales of ${quarter} were declared already`, [
      { field: 'quarter', reason: 'already declared for this licence' },
    ]);
  }
}

/** The licence was never in force in that quarter, or the quarter has not ended. */
export class QuarterNotDeclarable extends ValidationFailed {
  constructor(reason: string) {
    super([{ field: 'quarter', reason }], `the quarter cannot be declared: ${reason}`);
  }
}

/** The licence's terms need a figure the declaration left at zero. */
export class DeclarationIncomplete extends ValidationFailed {
  constructor(field: 'units' | 'revenueFen', reason: string) {
    super([{ field, reason }], `the declaration is incomplete: ${field} ${reason}`);
  }
}

/** The payment would take what was paid beyond the commitment declared. */
export class PaymentExceedsDue extends FailedPrecondition {
  constructor(due: number) {
    super('PAYMENT_EXCEEDS_DUE', `${due} fen of this declaration is still due`, [
      { field: 'amountFen', reason: `at most ${due}` },
    ]);
  }
}

/** The idempotency key was used for another payment of this declaration. */
export class PaymentKeyReused extends FailedPrecondition {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for another payment', [
      { field: 'idempotencyKey', reason: 'used for another payment' },
    ]);
  }
}
