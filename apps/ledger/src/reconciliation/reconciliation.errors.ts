import { DomainError } from '@yugong/shared/errors';

/**
 * Orders (which holds the processor's key) or the processor did not answer: no report, since
 * one side missing would list every payment as unexplained. UNAVAILABLE, HTTP 503.
 */
export class ProcessorUnreachable extends DomainError {
  /** @inheritDoc */
  readonly kind = 'unavailable';

  constructor(detail: string) {
    super('PROCESSOR_UNREACHABLE', `The card processor's balance could not be read: ${detail}`);
  }
}

/** The processor's history for the period is longer than one report reads. */
export class ProcessorHistoryTooLong extends DomainError {
  /** @inheritDoc */
  readonly kind = 'failed_precondition';

  constructor(readonly limit: number) {
    super(
      'PROCESSOR_HISTORY_TOO_LONG',
      `More than ${limit} processor entries in the period; ask for a shorter one`,
    );
  }
}
