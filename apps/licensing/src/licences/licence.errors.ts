import { status } from '@grpc/grpc-js';
import {
  AlreadyExists,
  DomainError,
  FailedPrecondition,
  NotFound,
  PermissionDenied,
} from '@yugong/shared/errors';

export class LicenceNotFound extends NotFound {
  constructor(id: string) {
    super('licence', id);
  }
}

/** A product named in an application is not the producer's, or not certified now. */
export class ProductsNotLicensable extends FailedPrecondition {
  constructor(problems: { productId: string; reason: string }[]) {
    super(
      'PRODUCTS_NOT_LICENSABLE',
      `${problems.length} product(s) cannot be licensed`,
      problems.map((p) => ({ field: `productIds.${p.productId}`, reason: p.reason })),
    );
  }
}

/** Approving (or reinstating) would let two live licences cover one product. */
export class ProductAlreadyLicensed extends AlreadyExists {
  constructor() {
    super('licence', 'a product of this licence is already covered by another live licence', [
      { field: 'productIds', reason: 'a product is already covered by another live licence' },
    ]);
  }
}

/** Officers review applications; nobody reviews their own. */
export class OwnApplication extends PermissionDenied {
  constructor() {
    super('an application may not be reviewed by the user who made it');
  }
}

/** Catalog could not be asked whether the products are certified: UNAVAILABLE, nothing written. */
export class CatalogUnavailable extends DomainError {
  readonly kind = 'unavailable';

  constructor() {
    super(
      'CATALOG_UNAVAILABLE',
      'the catalogue cannot be reached to check the products; nothing was written, try again',
    );
  }
}

/** True for the gRPC codes that mean "could not be asked", as opposed to "said no". */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED;
}
