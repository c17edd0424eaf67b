import { FailedPrecondition, NotFound } from '@yugong/shared/errors';

export class StockHoldNotFound extends NotFound {
  constructor(orderId: string) {
    super('stockHold', orderId);
  }
}

/** The order's hold lapsed and was released: check out again with a new order. */
export class HoldReleased extends FailedPrecondition {
  constructor(orderId: string) {
    super('HOLD_RELEASED', `the stock hold of order ${orderId} was released; check out again`, [
      { field: 'orderId', reason: 'its hold was released' },
    ]);
  }
}

export class RestockExceedsSale extends FailedPrecondition {
  constructor(requested: number, returnable: number) {
    super(
      'RESTOCK_EXCEEDS_SALE',
      `${requested} units asked back, only ${returnable} were sold and not yet returned`,
      [{ field: 'quantity', reason: `must be at most ${returnable}` }],
    );
  }
}

export class RestockMismatch extends FailedPrecondition {
  constructor(restockId: string) {
    super('RESTOCK_ID_REUSED', `restock ${restockId} was made with another order, product or quantity`, [
      { field: 'restockId', reason: 'was already used for another return' },
    ]);
  }
}
