/**
 * The answers of the stock calls, and the pure arithmetic of lines and lots they are built with
 * (no state, no I/O).
 */
import type { HoldRow, HoldSnapshot, LockedLot, NewHold, SaleableProduct } from './stock.repository';

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

/**
 * How a hold takes its units: each line from its product's stock source's lots, oldest first
 * (`lots` in that order), never more than a lot has. Shortages name every line that cannot be
 * held (unknown, not for sale, or too few units); holds are empty when there is any.
 */
export function allocateHold(
  req: { orderId: string; lines: { productId: string; quantity: number }[]; expiresAt: Date },
  products: Map<string, SaleableProduct>,
  lots: LockedLot[],
): { holds: NewHold[]; shortages: Shortage[] } {
  const shortages: Shortage[] = [];
  for (const line of req.lines) {
    const product = products.get(line.productId);
    if (!product) {
      shortages.push({
        productId: line.productId,
        requested: line.quantity,
        available: 0,
        reason: 'unknown_product',
      });
    } else if (product.status !== 'active' || product.producerStatus !== 'verified' || !product.certified) {
      shortages.push({
        productId: line.productId,
        requested: line.quantity,
        available: 0,
        reason: 'not_for_sale',
      });
    }
  }
  if (shortages.length > 0) {
    return { holds: [], shortages };
  }
  const left = new Map(lots.map((lot) => [lot.id, lot.onHand]));
  const holds: NewHold[] = [];
  for (const line of req.lines) {
    const product = products.get(line.productId)!;
    const pool = lots.filter((lot) => lot.productId === product.sourceId);
    const available = pool.reduce((sum, lot) => sum + left.get(lot.id)!, 0);
    if (available < line.quantity) {
      shortages.push({
        productId: line.productId,
        requested: line.quantity,
        available,
        reason: 'out_of_stock',
      });
      continue;
    }
    let wanted = line.quantity;
    for (const lot of pool) {
      const take = Math.min(wanted, left.get(lot.id)!);
      if (take === 0) {
        continue;
      }
      left.set(lot.id, left.get(lot.id)! - take);
      wanted -= take;
      holds.push({
        orderId: req.orderId,
        productId: line.productId,
        lotId: lot.id,
        quantity: take,
        expiresAt: req.expiresAt,
        snapshot: holdSnapshot(product, lot.lotCode),
      });
      if (wanted === 0) {
        break;
      }
    }
  }
  return shortages.length > 0 ? { holds: [], shortages } : { holds, shortages };
}
