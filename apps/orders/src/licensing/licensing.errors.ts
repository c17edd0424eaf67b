import { DomainError } from '@yugong/shared/errors';

/** Licensing could not be asked for the licence terms at checkout: UNAVAILABLE, nothing ordered. */
export class LicensingUnavailable extends DomainError {
  readonly kind = 'unavailable';

  constructor() {
    super('LICENSING_UNAVAILABLE', 'the licence terms cannot be read now; nothing was ordered, try again');
  }
}
