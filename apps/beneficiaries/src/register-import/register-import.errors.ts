import { FailedPrecondition } from '@yugong/shared/errors';

/**
 * Another import wrote a household of this file between our look at the register and our write:
 * its personal data would be bound to an id the row no longer has. Nothing is written; run it again.
 */
export class RegisterChangedDuringImport extends FailedPrecondition {
  constructor() {
    super(
      'REGISTER_CHANGED_DURING_IMPORT',
      'another import wrote households of this file at the same time; nothing was written, import it again',
    );
  }
}
