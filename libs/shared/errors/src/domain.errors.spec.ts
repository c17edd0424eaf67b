import {
  AlreadyExists,
  DomainError,
  FailedPrecondition,
  NotFound,
  PermissionDenied,
  Unauthenticated,
  ValidationFailed,
} from './domain.errors';

class ProductNotFound extends NotFound {
  constructor(id: string) {
    super('product', id);
  }
}

class LicenceExpired extends FailedPrecondition {
  constructor(licenceId: string) {
    super('LICENCE_EXPIRED', `licence ${licenceId} has expired`);
  }
}

describe(DomainError.name, () => {
  it('lets a domain name its own failure on a ready subclass', () => {
    const sut = new ProductNotFound('p-42');

    expect(sut).toBeInstanceOf(NotFound);
    expect(sut).toBeInstanceOf(DomainError);
    expect(sut).toBeInstanceOf(Error);
    expect(sut.name).toBe('ProductNotFound');
    expect(sut.kind).toBe('not_found');
    expect(sut.code).toBe('PRODUCT_NOT_FOUND');
    expect(sut.message).toBe('product p-42 not found');
    expect(sut.entity).toBe('product');
    expect(sut.id).toBe('p-42');
  });

  it.each([
    ['benefitAgreement', 'BENEFIT_AGREEMENT_NOT_FOUND'],
    ['benefit agreement', 'BENEFIT_AGREEMENT_NOT_FOUND'],
    ['label-code', 'LABEL_CODE_NOT_FOUND'],
    ['LOT', 'LOT_NOT_FOUND'],
  ])('derives the code of NotFound(%p) as %p', (entity, code) => {
    expect(new NotFound(entity, 'x').code).toBe(code);
  });

  it('gives every ready subclass its kind and code', () => {
    const fields = [{ field: 'creditCode', reason: 'is taken' }];
    const cases: [DomainError, string, string][] = [
      [new ValidationFailed(fields), 'invalid_argument', 'VALIDATION_FAILED'],
      [new AlreadyExists('producer', 'exists', fields), 'already_exists', 'PRODUCER_ALREADY_EXISTS'],
      [new LicenceExpired('l-1'), 'failed_precondition', 'LICENCE_EXPIRED'],
      [new PermissionDenied(), 'permission_denied', 'PERMISSION_DENIED'],
      [new Unauthenticated(), 'unauthenticated', 'UNAUTHENTICATED'],
    ];
    for (const [sut, kind, code] of cases) {
      expect([sut.kind, sut.code]).toEqual([kind, code]);
      expect(sut.message).not.toBe('');
    }
    expect(new ValidationFailed(fields).fields).toEqual(fields);
    expect(new AlreadyExists('producer', 'exists', fields).fields).toEqual(fields);
    expect(new PermissionDenied().fields).toBeUndefined();
  });
});
