import { AlreadyExists, NotFound, ValidationFailed } from '@yugong/shared/errors';

export class HouseholdNotFound extends NotFound {
  constructor(id: string) {
    super('household', id);
  }
}

export class ArchiveNumberTaken extends AlreadyExists {
  constructor() {
    super('household', 'a household with this archive number exists', [
      { field: 'archiveNumber', reason: 'is already registered' },
    ]);
  }
}

/** The message never repeats the ID. */
export class NationalIdTaken extends AlreadyExists {
  constructor() {
    super('household', 'a household with this national ID exists', [
      { field: 'nationalId', reason: 'is already registered to another household' },
    ]);
  }
}

export class PurposeRequired extends ValidationFailed {
  constructor() {
    super([{ field: 'purpose', reason: 'is required for an unmasked read of personal data' }]);
  }
}
