import { AlreadyExists, NotFound } from '@yugong/shared/errors';

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
