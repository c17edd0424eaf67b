import { NotFound, ValidationFailed } from '@yugong/shared/errors';

/** No statement of the household for this caller (a role that reads none). */
export class StatementNotFound extends NotFound {
  constructor(householdId: string) {
    super('household statement', householdId);
  }
}

/** A cursor this service did not give. */
export class BadStatementCursor extends ValidationFailed {
  constructor() {
    super([{ field: 'cursor', reason: 'is not a cursor this service gave' }]);
  }
}
