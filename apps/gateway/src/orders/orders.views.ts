import { orders } from '@yugong/contracts';
import { enumName, isoOf } from '../catalog/catalog.views';
import { moneyOf as money } from '../common/money.view';

/** A cart as the REST API shows it. */
export type CartJson = ReturnType<typeof cartJson>;

export function cartJson(cart: orders.Cart | undefined) {
  return {
    items: (cart?.items ?? []).map((i) => ({
      productId: i.productId,
      quantity: i.quantity,
      nameZh: i.nameZh,
      nameEn: i.nameEn,
      unit: i.unit,
      unitPrice: i.unitPrice ? money(i.unitPrice) : null,
      lineTotal: i.lineTotal ? money(i.lineTotal) : null,
      available: i.available,
      stock: i.stock,
      producerId: i.producerId,
    })),
    subtotal: money(cart?.subtotal),
    expiresAt: isoOf(cart?.expiresAt),
  };
}

export function refundJson(r: orders.Refund) {
  return {
    id: r.id,
    lines: r.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, amount: money(l.amount) })),
    amount: money(r.amount),
    reason: r.reason,
    goodsReturned: r.goodsReturned,
    status: r.status,
    reference: r.reference,
    createdAt: isoOf(r.createdAt),
  };
}

export function orderJson(o: orders.Order) {
  return {
    id: o.id,
    buyerId: o.buyerId,
    status: enumName(o.status, 'ORDER_STATUS_'),
    lines: o.lines.map((l) => ({
      id: l.id,
      productId: l.productId,
      productNameZh: l.productNameZh,
      productNameEn: l.productNameEn,
      unit: l.unit,
      producerId: l.producerId,
      producerName: l.producerName,
      unitPrice: money(l.unitPrice),
      quantity: l.quantity,
      gross: money(l.gross),
      householdShareBps: l.householdShareBps,
      lots: l.allocations.map((a) => ({ lotId: a.lotId, lotCode: a.lotCode, quantity: a.quantity })),
      status: enumName(l.status, 'LINE_STATUS_'),
      carrier: l.carrier || null,
      trackingNumber: l.trackingNumber || null,
      shippedAt: isoOf(l.shippedAt),
      refundedQuantity: l.refundedQuantity,
      refunded: money(l.refunded),
      // The LOGO licence terms valid at checkout, snapshotted on the line; null when unlicensed.
      licence: l.licence
        ? {
            licenceId: l.licence.licenceId,
            number: l.licence.licenceNumber,
            commitmentBps: l.licence.commitmentBps,
            minPerUnit: money(l.licence.minPerUnit),
          }
        : null,
    })),
    subtotal: money(o.subtotal),
    donation: money(o.donation),
    total: money(o.total),
    payment: {
      method: enumName(o.payment?.method ?? '', 'PAYMENT_METHOD_'),
      reference: o.payment?.reference || null,
      amountReceived: money(o.payment?.amountReceived),
      paidAt: isoOf(o.payment?.paidAt),
    },
    refunds: o.refunds.map(refundJson),
    refunded: money(o.refunded),
    createdAt: isoOf(o.createdAt),
    expiresAt: isoOf(o.expiresAt),
    updatedAt: isoOf(o.updatedAt),
    deliveredAt: isoOf(o.deliveredAt),
  };
}

/** A buyer's allowance of unpaid orders and held units, as the REST API shows it. */
export function allowanceJson(a: orders.BuyerAllowance) {
  return {
    userId: a.buyerId,
    maxUnpaidOrders: a.maxUnpaidOrders,
    maxHeldUnits: a.maxHeldUnits,
    expiresAt: a.expiresAt ? isoOf(a.expiresAt) : null,
    grantedBy: a.grantedBy,
    grantedAt: isoOf(a.grantedAt),
  };
}
