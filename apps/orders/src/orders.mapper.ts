import { orders } from '@yugong/contracts';
import { toTimestamp } from '@yugong/shared/grpc';
import type { BuyerAllowanceRecord } from './buyers/buyer-allowance.repository';
import type { PricedCart } from './cart/cart.service';
import type { PaymentReceiptRecord } from './orders/order-lifecycle.service';
import type { OrderRecord, RefundRecord } from './orders/order.repository';
import type { OrderView } from './orders/orders.service';

export { toTimestamp };

const money = (fen: number, currency: string) => ({ fen, currency });

export function toCartMessage(cart: PricedCart): orders.Cart {
  return {
    items: cart.items.map((i) => ({
      productId: i.productId,
      quantity: i.quantity,
      nameZh: i.nameZh,
      nameEn: i.nameEn,
      unit: i.unit,
      unitPrice: i.unitPriceFen === undefined ? undefined : money(i.unitPriceFen, i.currency),
      lineTotal: i.lineTotalFen === undefined ? undefined : money(i.lineTotalFen, i.currency),
      available: i.available,
      stock: i.stock,
      producerId: i.producerId,
    })),
    subtotal: money(cart.subtotalFen, 'CNY'),
    expiresAt: cart.expiresAt && toTimestamp(cart.expiresAt),
  };
}

const LINE_STATUS: Record<string, orders.LineStatus> = {
  pending: orders.LineStatus.LINE_STATUS_PENDING,
  shipped: orders.LineStatus.LINE_STATUS_SHIPPED,
  delivered: orders.LineStatus.LINE_STATUS_DELIVERED,
};

export const orderStatusToWire = (status: string) =>
  `ORDER_STATUS_${status.toUpperCase()}` as orders.OrderStatus;

export function orderStatusFromWire(status: orders.OrderStatus | undefined): string {
  return !status || status === orders.OrderStatus.ORDER_STATUS_UNSPECIFIED
    ? ''
    : status.replace('ORDER_STATUS_', '').toLowerCase();
}

export function toOrderMessage(o: OrderView): orders.Order {
  const c = o.currency;
  const refunded = o.lines.reduce((sum, l) => sum + l.refundedFen, 0);
  return {
    id: o.id,
    buyerId: o.buyerId,
    status: orderStatusToWire(o.status),
    lines: o.lines.map((l) => ({
      id: l.id,
      productId: l.productId,
      productNameZh: l.productNameZh,
      productNameEn: l.productNameEn,
      unit: l.unit,
      producerId: l.producerId,
      producerName: l.producerName,
      unitPrice: money(l.unitPriceFen, c),
      quantity: l.quantity,
      gross: money(l.grossFen, c),
      householdShareBps: l.householdShareBps,
      allocations: l.allocations,
      status: LINE_STATUS[l.status] ?? orders.LineStatus.LINE_STATUS_UNSPECIFIED,
      carrier: l.carrier ?? '',
      trackingNumber: l.trackingNumber ?? '',
      shippedAt: l.shippedAt ? toTimestamp(new Date(l.shippedAt)) : undefined,
      refundedQuantity: l.refundedQuantity,
      refunded: money(l.refundedFen, c),
      licence: l.licenceId
        ? {
            licenceId: l.licenceId,
            licenceNumber: l.licenceNumber ?? '',
            commitmentBps: l.licenceCommitmentBps,
            minPerUnit: money(l.licenceMinPerUnitFen, c),
          }
        : undefined,
    })),
    subtotal: money(o.subtotalFen, c),
    donation: money(o.donationFen, c),
    total: money(o.totalFen, c),
    payment: {
      method:
        o.paymentMethod === 'stripe'
          ? orders.PaymentMethod.PAYMENT_METHOD_STRIPE
          : orders.PaymentMethod.PAYMENT_METHOD_MANUAL,
      reference: o.paymentReference ?? '',
      amountReceived: money(o.amountReceivedFen ?? 0, c),
      paidAt: o.paidAt ? toTimestamp(o.paidAt) : undefined,
      failure: o.paymentFailure ?? '',
      processorFee:
        o.processorFeeFen === null || o.processorFeeFen === undefined
          ? undefined
          : money(o.processorFeeFen, c),
    },
    refunds: (o.refunds ?? []).map((r) => toRefundMessage(r, c)),
    refunded: money(refunded, c),
    createdAt: toTimestamp(o.createdAt),
    expiresAt: toTimestamp(o.expiresAt),
    updatedAt: toTimestamp(o.updatedAt),
    deliveredAt: o.deliveredAt ? toTimestamp(o.deliveredAt) : undefined,
    completedAt: o.completedAt ? toTimestamp(o.completedAt) : undefined,
  };
}

export function toRefundMessage(r: RefundRecord, currency: string): orders.Refund {
  return {
    id: r.id,
    orderId: r.orderId,
    lines: r.lines.map((l) => ({
      lineId: l.lineId,
      quantity: l.quantity,
      amount: money(l.amountFen, currency),
    })),
    amount: money(r.amountFen, currency),
    reason: r.reason,
    goodsReturned: r.goodsReturned,
    status: r.status,
    reference: r.reference,
    requestedBy: r.requestedBy,
    createdAt: toTimestamp(new Date(r.createdAt)),
  };
}

export function toAllowanceMessage(a: BuyerAllowanceRecord): orders.BuyerAllowance {
  return {
    buyerId: a.buyerId,
    maxUnpaidOrders: a.maxUnpaidOrders,
    maxHeldUnits: a.maxHeldUnits,
    expiresAt: a.expiresAt ? toTimestamp(a.expiresAt) : undefined,
    grantedBy: a.grantedBy,
    grantedAt: toTimestamp(a.grantedAt),
  };
}

/** An event's order snapshot (JSON) back into the record the mapper reads. */
export function reviveOrder(raw: Record<string, unknown>): OrderRecord {
  const at = (key: string) => (raw[key] ? new Date(raw[key] as string) : null);
  return {
    ...(raw as unknown as OrderRecord),
    requestHash: '',
    idempotencyKey: '',
    clientSecret: null,
    paidAt: at('paidAt'),
    expiresAt: at('expiresAt')!,
    cancelledAt: at('cancelledAt'),
    deliveredAt: at('deliveredAt'),
    completedAt: at('completedAt'),
    refunds: [],
    createdAt: at('createdAt')!,
    updatedAt: at('updatedAt')!,
  };
}

/** The `order` and `refund` of a stored event payload as orders.v1 messages. */
export function eventPayloadMessage(payload: Record<string, unknown>): {
  order: orders.Order;
  refund?: orders.Refund;
  payment?: orders.PaymentReceipt;
} {
  const order = reviveOrder(payload.order as Record<string, unknown>);
  const payment = payload.payment as PaymentReceiptRecord | undefined;
  return {
    order: toOrderMessage(order),
    refund: payload.refund ? toRefundMessage(payload.refund as RefundRecord, order.currency) : undefined,
    payment: payment
      ? {
          method:
            payment.method === 'stripe'
              ? orders.PaymentMethod.PAYMENT_METHOD_STRIPE
              : orders.PaymentMethod.PAYMENT_METHOD_MANUAL,
          reference: payment.reference,
          amount: money(payment.amountFen, payment.currency),
          receivedAt: toTimestamp(new Date(payment.receivedAt)),
          reason: payment.reason,
        }
      : undefined,
  };
}
