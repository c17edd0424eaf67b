import { AlreadyExists, NotFound } from '@yugong/shared/errors';

export class BenefitAgreementNotFound extends NotFound {
  constructor(id: string) {
    super('benefitAgreement', id);
  }
}

export class OverlappingAgreement extends AlreadyExists {
  constructor() {
    super(
      'benefitAgreement',
      'an agreement of this producer, household and kind already covers part of this period',
      [
        {
          field: 'effectiveFrom',
          reason: 'overlaps an existing agreement of the same producer, household and kind',
        },
      ],
    );
  }
}

export class OverlappingCollectiveShare extends AlreadyExists {
  constructor() {
    super(
      'villageCollectiveShare',
      'a share of this producer and village already covers part of this period',
      [{ field: 'effectiveFrom', reason: 'overlaps an existing share of the same producer and village' }],
    );
  }
}

export class VillageNotFound extends NotFound {
  constructor(id: string) {
    super('village', id);
  }
}

/** PostgreSQL's exclusion_violation: the no-overlap constraint refused the row. */
export function isOverlapViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === '23P01' || e?.cause?.code === '23P01';
}
