import { AlreadyExists, PermissionDenied, Unauthenticated, ValidationFailed } from '@yugong/shared/errors';

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

/** A valid token whose account is gone: signed before the user was deleted, or never issued by us. */
export class AccountGone extends Unauthenticated {
  constructor() {
    super('the account of this token no longer exists');
  }
}
