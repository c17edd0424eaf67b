import { DomainError, ValidationFailed, type FieldError } from '@yugong/shared/errors';

/** The beneficiaries register could not be asked about a lot's suppliers; nothing was written. */
export class BeneficiariesUnavailable extends DomainError {
  readonly kind = 'unavailable';

  constructor() {
    super(
      'BENEFICIARIES_UNAVAILABLE',
      'the beneficiaries register cannot be reached to check the suppliers; nothing was written, try again',
    );
  }
}

/**
 * The register refused some of a lot's suppliers (unknown household, or no `supply` agreement with
 * the producer on the produced date): INVALID_ARGUMENT naming `suppliers.<i>.householdId`.
 */
export class SuppliersRefused extends ValidationFailed {
  constructor(fields: FieldError[]) {
    super(fields, 'Some suppliers may not supply this lot');
  }
}
