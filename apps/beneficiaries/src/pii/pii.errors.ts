import { FailedPrecondition } from '@yugong/shared/errors';

/**
 * A stored value cannot be decrypted: unknown key id, altered, or copied from another household or
 * field. Answered as `PII_UNREADABLE` (HTTP 409) naming the household; never holds the value or a key.
 */
export class PiiDecryptionError extends FailedPrecondition {
  constructor(
    readonly householdId: string,
    reason: string,
  ) {
    super('PII_UNREADABLE', `the personal data of household ${householdId} cannot be decrypted: ${reason}`);
  }
}
