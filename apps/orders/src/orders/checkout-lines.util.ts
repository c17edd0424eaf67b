import type { catalog } from '@yugong/contracts';
import type { OrderLineRecord } from './order.repository';

/** The terms of the LOGO licence covering a product at checkout, snapshotted on its line. */
export interface LineLicenceTerms {
  licenceId: string;
  licenceNumber: string;
  commitmentBps: number;
  minPerUnitFen: number;
}

/**
 * The lines of a new order from the lines catalog held for it, in the order held: each at the
 * price, household share and names the hold snapshotted, with the lots it draws on, and the terms
 * of the LOGO licence covering its product then (by product id; none when absent).
 *
 * @param newId - the id of each new line
 */
export function orderLinesOf(
  held: catalog.HeldLine[],
  newId: (position: number) => string,
  licences: ReadonlyMap<string, LineLicenceTerms> = new Map(),
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
    licenceId: licences.get(line.productId)?.licenceId ?? null,
    licenceNumber: licences.get(line.productId)?.licenceNumber ?? null,
    licenceCommitmentBps: licences.get(line.productId)?.commitmentBps ?? 0,
    licenceMinPerUnitFen: licences.get(line.productId)?.minPerUnitFen ?? 0,
  }));
}

/**
 * The donation of an order: what the buyer gave, plus, with `roundUp`, what brings the total
 * (subtotal and donation) up to the next whole yuan.
 */
export function donationOf(subtotalFen: number, donationFen: number, roundUp: boolean): number {
  return donationFen + (roundUp ? (100 - ((subtotalFen + donationFen) % 100)) % 100 : 0);
}
