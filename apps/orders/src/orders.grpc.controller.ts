import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { orders } from '@yugong/contracts';
import { ValidationFailed } from '@yugong/shared/errors';
import { Accepts, PUBLIC, SERVICE, USER, callerOf, fromTimestamp } from '@yugong/shared/grpc';
import { BuyerLimitsService } from './buyers/buyer-limits.service';
import { CartService } from './cart/cart.service';
import {
  orderStatusFromWire,
  orderStatusToWire,
  toAllowanceMessage,
  toCartMessage,
  eventPayloadMessage,
  toOrderMessage,
  toRefundMessage,
  toTimestamp,
} from './orders.mapper';
import { OrdersService } from './orders/orders.service';
import { OutboxService } from './outbox/outbox.service';
import { FulfilmentService } from './orders/fulfilment.service';
import { PaymentEventBatchService } from './payments/payment-event-batch.service';
import { PaymentsService } from './payments/payments.service';

const METHODS: Record<string, 'stripe' | 'manual' | undefined> = {
  [orders.PaymentMethod.PAYMENT_METHOD_STRIPE]: 'stripe',
  [orders.PaymentMethod.PAYMENT_METHOD_MANUAL]: 'manual',
};

/** At most this many events in one ApplyPaymentEvents call. */
const MAX_PAYMENT_EVENTS = 1000;

/** An ApplyPaymentEvent request as the payments service reads it. */
function paymentEventInput(request: orders.ApplyPaymentEventRequest) {
  return {
    eventId: request.eventId,
    type: request.type,
    paymentIntentId: request.paymentIntentId,
    orderId: request.orderId,
    amountFen: request.amount?.fen ?? 0,
    currency: request.amount?.currency ?? '',
    occurredAt: request.createdAt ? fromTimestamp(request.createdAt) : null,
    failureCode: request.failureCode,
    refunds: request.refunds.map((r) => ({ id: r.id, amountFen: r.amount?.fen ?? 0, status: r.status })),
  };
}

/** The OrdersService contract: maps wire messages to service calls and back, nothing more. */
@Controller()
@orders.OrdersServiceControllerMethods()
export class OrdersGrpcController implements orders.OrdersServiceController {
  constructor(
    private readonly carts: CartService,
    private readonly orderService: OrdersService,
    private readonly outbox: OutboxService,
    private readonly fulfilment: FulfilmentService,
    private readonly payments: PaymentsService,
    private readonly limits: BuyerLimitsService,
    private readonly paymentBatches: PaymentEventBatchService,
  ) {}

  @Accepts({ gateway: PUBLIC })
  async getCart(request: orders.GetCartRequest, metadata?: Metadata): Promise<orders.GetCartResponse> {
    return { cart: toCartMessage(await this.carts.get(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: PUBLIC })
  async addCartItem(
    request: orders.AddCartItemRequest,
    metadata?: Metadata,
  ): Promise<orders.AddCartItemResponse> {
    return { cart: toCartMessage(await this.carts.add(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: PUBLIC })
  async updateCartItem(
    request: orders.UpdateCartItemRequest,
    metadata?: Metadata,
  ): Promise<orders.UpdateCartItemResponse> {
    return { cart: toCartMessage(await this.carts.update(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: PUBLIC })
  async removeCartItem(
    request: orders.RemoveCartItemRequest,
    metadata?: Metadata,
  ): Promise<orders.RemoveCartItemResponse> {
    return { cart: toCartMessage(await this.carts.remove(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async mergeCart(request: orders.MergeCartRequest, metadata?: Metadata): Promise<orders.MergeCartResponse> {
    return { cart: toCartMessage(await this.carts.merge(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async checkout(request: orders.CheckoutRequest, metadata?: Metadata): Promise<orders.CheckoutResponse> {
    const order = await this.orderService.checkout(callerOf(metadata), {
      ...request,
      paymentMethod: METHODS[request.paymentMethod] ?? request.paymentMethod,
    });
    return { order: toOrderMessage(order), clientSecret: order.clientSecret ?? '' };
  }

  @Accepts({ gateway: USER })
  async getOrder(request: orders.GetOrderRequest, metadata?: Metadata): Promise<orders.GetOrderResponse> {
    return { order: toOrderMessage(await this.orderService.get(callerOf(metadata), request.id)) };
  }

  @Accepts({ gateway: USER })
  async listOrders(
    request: orders.ListOrdersRequest,
    metadata?: Metadata,
  ): Promise<orders.ListOrdersResponse> {
    const result = await this.orderService.list(callerOf(metadata), {
      page: request.page,
      status: orderStatusFromWire(request.status),
      cursor: request.cursor,
    });
    return {
      orders: result.items.map(toOrderMessage),
      page: { page: result.page, pageSize: result.pageSize, total: result.total },
      nextCursor: result.nextCursor,
    };
  }

  @Accepts({ gateway: USER })
  async cancelOrder(
    request: orders.CancelOrderRequest,
    metadata?: Metadata,
  ): Promise<orders.CancelOrderResponse> {
    return { order: toOrderMessage(await this.orderService.cancel(callerOf(metadata), request.id)) };
  }

  @Accepts({ gateway: USER })
  async confirmManualPayment(
    request: orders.ConfirmManualPaymentRequest,
    metadata?: Metadata,
  ): Promise<orders.ConfirmManualPaymentResponse> {
    const order = await this.orderService.confirmManualPayment(callerOf(metadata), {
      orderId: request.orderId,
      amountFen: request.amount?.fen,
      currency: request.amount?.currency ?? '',
      reference: request.reference,
    });
    return { order: toOrderMessage(order) };
  }

  // Officers and auditors through the gateway; the ledger catching up.
  @Accepts({ gateway: USER, ledger: SERVICE })
  async listEvents(
    request: orders.ListEventsRequest,
    metadata?: Metadata,
  ): Promise<orders.ListEventsResponse> {
    const events = await this.outbox.list(callerOf(metadata), request);
    return {
      events: events.map((e) => ({
        id: e.id,
        eventId: e.eventId,
        type: e.type,
        orderId: e.orderId,
        sequence: e.sequence,
        occurredAt: toTimestamp(e.occurredAt),
        ...eventPayloadMessage(e.payload),
        traceContext: e.traceContext ?? '',
      })),
    };
  }

  // The ledger reconciling, as itself.
  @Accepts({ ledger: SERVICE })
  async listProviderBalanceTransactions(
    request: orders.ListProviderBalanceTransactionsRequest,
  ): Promise<orders.ListProviderBalanceTransactionsResponse> {
    const page = await this.payments.listBalanceEntries({
      from: request.from ? fromTimestamp(request.from) : undefined,
      to: request.to ? fromTimestamp(request.to) : undefined,
      startingAfter: request.startingAfter,
      limit: request.limit,
    });
    return {
      transactions: page.entries.map((e) => ({
        id: e.id,
        type: e.type,
        amountFen: e.amountFen,
        feeFen: e.feeFen,
        currency: e.currency,
        created: toTimestamp(e.created),
        source: e.source,
        paymentIntent: e.paymentIntent,
        orderId: e.orderId,
        refundId: e.refundId,
      })),
      hasMore: page.hasMore,
      configured: page.configured,
    };
  }

  // Only the gateway's Stripe webhook, after it has checked Stripe's signature.
  @Accepts({ gateway: SERVICE })
  async applyPaymentEvent(
    request: orders.ApplyPaymentEventRequest,
    metadata?: Metadata,
  ): Promise<orders.ApplyPaymentEventResponse> {
    const result = await this.payments.applyEvent(callerOf(metadata), paymentEventInput(request));
    return {
      applied: result.applied,
      orderId: result.orderId,
      status: result.status ? orderStatusToWire(result.status) : orders.OrderStatus.ORDER_STATUS_UNSPECIFIED,
    };
  }

  // Only the gateway's inbox applier, for events whose signature it checked.
  @Accepts({ gateway: SERVICE })
  async applyPaymentEvents(
    request: orders.ApplyPaymentEventsRequest,
    metadata?: Metadata,
  ): Promise<orders.ApplyPaymentEventsResponse> {
    if (request.events.length === 0 || request.events.length > MAX_PAYMENT_EVENTS) {
      throw new ValidationFailed([
        { field: 'events', reason: `must hold 1 to ${MAX_PAYMENT_EVENTS} events` },
      ]);
    }
    const results = await this.paymentBatches.applyEvents(
      callerOf(metadata),
      request.events.map(paymentEventInput),
    );
    return {
      results: results.map((r) =>
        r.error
          ? {
              eventId: r.eventId,
              applied: false,
              orderId: '',
              status: orders.OrderStatus.ORDER_STATUS_UNSPECIFIED,
              errorCode: r.error.code,
              errorMessage: r.error.message,
            }
          : {
              eventId: r.eventId,
              applied: r.applied,
              orderId: r.orderId,
              status: r.status ? orderStatusToWire(r.status) : orders.OrderStatus.ORDER_STATUS_UNSPECIFIED,
              errorCode: 0,
              errorMessage: '',
            },
      ),
    };
  }

  @Accepts({ gateway: USER })
  async shipOrderLines(
    request: orders.ShipOrderLinesRequest,
    metadata?: Metadata,
  ): Promise<orders.ShipOrderLinesResponse> {
    return { order: toOrderMessage(await this.fulfilment.ship(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async confirmDelivery(
    request: orders.ConfirmDeliveryRequest,
    metadata?: Metadata,
  ): Promise<orders.ConfirmDeliveryResponse> {
    return {
      order: toOrderMessage(await this.fulfilment.confirmDelivery(callerOf(metadata), request.orderId)),
    };
  }

  @Accepts({ gateway: USER })
  async refundOrder(
    request: orders.RefundOrderRequest,
    metadata?: Metadata,
  ): Promise<orders.RefundOrderResponse> {
    const { refund, order } = await this.fulfilment.refund(callerOf(metadata), request);
    return { refund: toRefundMessage(refund, order.currency), order: toOrderMessage(order) };
  }

  @Accepts({ gateway: USER })
  async confirmManualRefund(
    request: orders.ConfirmManualRefundRequest,
    metadata?: Metadata,
  ): Promise<orders.ConfirmManualRefundResponse> {
    const { refund, order } = await this.fulfilment.confirmManualRefund(callerOf(metadata), request);
    return { refund: toRefundMessage(refund, order.currency), order: toOrderMessage(order) };
  }

  @Accepts({ gateway: USER })
  async setBuyerAllowance(
    request: orders.SetBuyerAllowanceRequest,
    metadata?: Metadata,
  ): Promise<orders.SetBuyerAllowanceResponse> {
    const allowance = await this.limits.setAllowance(callerOf(metadata), {
      ...request,
      expiresAt: fromTimestamp(request.expiresAt) ?? null,
    });
    return { allowance: toAllowanceMessage(allowance) };
  }
}
