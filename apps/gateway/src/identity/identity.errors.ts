import {
  AlreadyExists,
  DomainError,
  PermissionDenied,
  Unauthenticated,
  ValidationFailed,
} from '@yugong/shared/errors';

export class EmailTaken extends AlreadyExists {
  constructor() {
    super('user', 'an account with this email already exists', [
      { field: 'email', reason: 'is already registered' },
    ]);
  }
}

export class BadCredentials extends Unauthenticated {
  constructor() {
    super('email or password is wrong');
  }
}

export class RoleNotGrantable extends PermissionDenied {
  constructor(role: string) {
    super(`you may not create ${role} accounts`);
  }
}

export class UnknownProducers extends ValidationFailed {
  constructor(ids: string[]) {
    super(ids.map((id) => ({ field: 'producerIds', reason: `producer ${id} does not exist` })));
  }
}

/** An allowance of unpaid orders is for an institution's account. */
export class NotAnInstitution extends ValidationFailed {
  constructor() {
    super([{ field: 'userId', reason: "is not an institution's account" }]);
  }
}

/** Too many failed sign-ins for one email: HTTP 429, with `Retry-After`. */
export class SignInThrottled extends DomainError {
  readonly kind = 'resource_exhausted';

  constructor(readonly retryAfterSeconds: number) {
    super(
      'SIGN_IN_THROTTLED',
      `too many failed sign-ins for this email: try again in ${retryAfterSeconds} s`,
    );
  }
}

/** A disabled account signing in with the right password, or calling with an older token. */
export class AccountDisabled extends Unauthenticated {
  constructor() {
    super('this account is disabled');
  }
}
