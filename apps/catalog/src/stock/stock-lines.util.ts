/**
 * The answers of the stock calls, and the pure arithmetic of lines and lots they are built with
 * (no state, no I/O).
 */
import type { HoldRow, HoldSnapshot, NewHold, SaleableProduct } from './stock.repository';

/** Units of one lot in an answer. */
export interface Allocation {
  lotId: string;
  lotCode: string;
  quantity: number;
}

/** An order line as held or committed: what it is sold at and the lots it draws on. */
export interface HeldLineView extends Omit<HoldSnapshot, 'lotCode'> {
  productId: string;
  quantity: number;
  allocations: Allocation[];
}

export type ShortageReasonName = 'out_of_stock' | 'not_for_sale' | 'unknown_product';

export interface Shortage {
  productId: string;
  requested: number;
  available: number;
  reason: ShortageReasonName;
}

export interface HoldOutcome {
  held: boolean;
  lines: HeldLineView[];
  shortages: Shortage[];
}

/** What a hold of `product` from the lot `lotCode` records of the sale: its terms as of the hold. */
export function holdSnapshot(product: SaleableProduct, lotCode: string): HoldSnapshot {
  return {
    unitPriceFen: product.priceFen,
    currency: product.currency,
    producerId: product.producerId,
    producerName: product.producerName,
    householdShareBps: product.householdShareBps,
    nameZh: product.nameZh,
    nameEn: product.nameEn,
    unit: product.unit,
    lotCode,
  };
}

/** Units per lot of the holds, signed: -1 takes them off the lots, 1 puts them back. */
export function sumByLot(holds: { lotId: string; quantity: number }[], sign: 1 | -1): Map<string, number> {
  const sums = new Map<string, number>();
  for (const h of holds) {
    sums.set(h.lotId, (sums.get(h.lotId) ?? 0) + sign * h.quantity);
  }
  return sums;
}

export function asHoldRow(hold: NewHold): HoldRow {
  return { ...hold, id: '', restocked: 0, status: 'held' };
}

/** Groups hold rows into one line per product, in the order they were taken. */
export function toLines(holds: HoldRow[]): HeldLineView[] {
  const lines = new Map<string, HeldLineView>();
  for (const hold of holds) {
    const { lotCode, ...snapshot } = hold.snapshot;
    const line = lines.get(hold.productId) ?? {
      ...snapshot,
      productId: hold.productId,
      quantity: 0,
      allocations: [],
    };
    line.quantity += hold.quantity;
    line.allocations.push({ lotId: hold.lotId, lotCode, quantity: hold.quantity });
    lines.set(hold.productId, line);
  }
  return [...lines.values()];
}

export function shortagesOf(holds: HoldRow[], onHand: Map<string, number>): Shortage[] {
  const byProduct = new Map<string, Shortage>();
  for (const hold of holds) {
    const shortage = byProduct.get(hold.productId) ?? {
      productId: hold.productId,
      requested: 0,
      available: 0,
      reason: 'out_of_stock' as const,
    };
    shortage.requested += hold.quantity;
    shortage.available += onHand.get(hold.lotId) ?? 0;
    byProduct.set(hold.productId, shortage);
  }
  return [...byProduct.values()];
}
