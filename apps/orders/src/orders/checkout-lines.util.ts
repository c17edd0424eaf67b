import type { catalog } from '@yugong/contracts';
import type { OrderLineRecord } from './order.repository';

/**
 * The lines of a new order from the lines catalog held for it, in the order held: each at the
 * price, household share and names the hold snapshotted, with the lots it draws on.
 *
 * @param newId - the id of each new line
 */
export function orderLinesOf(
  held: catalog.HeldLine[],
  newId: (position: number) => string,
): OrderLineRecord[] {
  return held.map((line, position) => ({
    id: newId(position),
    position,
    productId: line.productId,
    productNameZh: line.productNameZh,
    productNameEn: line.productNameEn,
    unit: line.unit,
    producerId: line.producerId,
    producerName: line.producerName,
    unitPriceFen: line.unitPrice!.fen,
    quantity: line.quantity,
    grossFen: line.unitPrice!.fen * line.quantity,
    householdShareBps: line.householdShareBps,
    allocations: line.allocations,
    status: 'pending',
    refundedQuantity: 0,
    refundedFen: 0,
    carrier: null,
    trackingNumber: null,
    shippedAt: null,
  }));
}

/**
 * The donation of an order: what the buyer gave, plus, with `roundUp`, what brings the total
 * (subtotal and donation) up to the next whole yuan.
 */
export function donationOf(subtotalFen: number, donationFen: number, roundUp: boolean): number {
  return donationFen + (roundUp ? (100 - ((subtotalFen + donationFen) % 100)) % 100 : 0);
}
