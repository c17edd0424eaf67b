import { AlreadyExists, FailedPrecondition, NotFound } from '@yugong/shared/errors';

export class ProductNotFound extends NotFound {
  constructor(id: string) {
    super('product', id);
  }
}

export class LotCodeTaken extends AlreadyExists {
  constructor(lotCode: string) {
    super('lot', `lot ${lotCode} already exists for this product`, [
      { field: 'lotCode', reason: 'is already used for this product' },
    ]);
  }
}

export class ProductNotCertified extends FailedPrecondition {
  constructor(id: string) {
    super('PRODUCT_NOT_CERTIFIED', `product ${id} holds no valid certificate`, [
      { field: 'status', reason: 'a product is sold only while it holds a valid certificate' },
    ]);
  }
}
