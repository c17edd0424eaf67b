import { DomainError, FailedPrecondition, NotFound } from '@yugong/shared/errors';
import type { CaseStatus } from './monitoring-case.entity';

export class MonitoringCaseNotFound extends NotFound {
  constructor(id: string) {
    super('monitoring case', id);
  }
}

/** open → visited (again) → closed; a closed case stays closed. */
export class CaseMoveRefused extends FailedPrecondition {
  constructor(from: CaseStatus, to: CaseStatus) {
    super('CASE_MOVE_REFUSED', `a ${from} case cannot become ${to}`, [
      { field: 'status', reason: `cannot move a ${from} case to ${to}` },
    ]);
  }
}

/** The ledger could not be asked for the households' income; no case was written. */
export class LedgerUnavailable extends DomainError {
  readonly kind = 'unavailable';

  constructor() {
    super(
      'LEDGER_UNAVAILABLE',
      'the ledger cannot be reached for relief income; no case was written, try again',
    );
  }
}
