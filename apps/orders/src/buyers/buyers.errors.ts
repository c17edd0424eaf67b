import { FailedPrecondition } from '@yugong/shared/errors';

/** The buyer has as many unpaid orders as they may: pay or cancel one before the next checkout. */
export class UnpaidOrderLimit extends FailedPrecondition {
  constructor(limit: number) {
    super('UNPAID_ORDER_LIMIT', `at most ${limit} unpaid orders at once`, [
      { field: 'unpaidOrders', reason: `${limit} unpaid orders already: pay or cancel one first` },
    ]);
  }
}

/** The cart would take the units held for the buyer's unpaid orders past their limit. */
export class HeldUnitsLimit extends FailedPrecondition {
  constructor(limit: number, held: number, wanted: number) {
    super('HELD_UNITS_LIMIT', `at most ${limit} units held for unpaid orders at once`, [
      {
        field: 'heldUnits',
        reason: `${held} units held for unpaid orders and ${wanted} in the cart pass the limit of ${limit}`,
      },
    ]);
  }
}
