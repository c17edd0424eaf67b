import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { orders } from '@yugong/contracts';
import { Caller, Public, Roles, type CallerIdentity } from '@yugong/shared/auth';
import type { FastifyReply } from 'fastify';
import { enumWire } from '../catalog/catalog.views';
import { RequestId, uuidParam } from '../common/request-context.util';
import {
  AddCartItemDto,
  CheckoutDto,
  ListOrdersQuery,
  ManualPaymentDto,
  ManualRefundDto,
  OrderEventsQuery,
  RefundDto,
  ShipmentDto,
  UpdateCartItemDto,
} from './dto/orders.dto';
import {
  cartTokenOf,
  idempotencyKeyOf,
  newCartToken,
  CART_TOKEN_HEADER,
  IDEMPOTENCY_KEY_HEADER,
} from './order-headers.util';
import { OrdersClient } from './orders.client';
import { cartJson, orderJson, refundJson } from './orders.views';

const METHOD = {
  stripe: orders.PaymentMethod.PAYMENT_METHOD_STRIPE,
  manual: orders.PaymentMethod.PAYMENT_METHOD_MANUAL,
} as const;

/**
 * The cart, checkout and orders. Carts are open to anyone: an anonymous visitor gets a
 * `Cart-Token` header to send back; a signed-in buyer's cart is their own.
 */
@ApiTags('orders')
@ApiBearerAuth()
@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersClient) {}

  @Public()
  @Get('cart')
  @ApiHeader({ name: CART_TOKEN_HEADER, required: false })
  async getCart(
    @Caller() caller: CallerIdentity | null,
    @Headers('cart-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ) {
    const cart = cartTokenOf(token) || this.issueToken(caller, reply);
    const res = await this.orders.call(
      'getCart',
      { cartToken: caller ? '' : cart },
      { caller, requestId, idempotent: true },
    );
    return cartJson(res.cart);
  }

  @Public()
  @Post('cart/items')
  @ApiHeader({ name: CART_TOKEN_HEADER, required: false })
  async addItem(
    @Body() body: AddCartItemDto,
    @Caller() caller: CallerIdentity | null,
    @Headers('cart-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ) {
    const cart = cartTokenOf(token) || this.issueToken(caller, reply);
    const res = await this.orders.call(
      'addCartItem',
      { cartToken: caller ? '' : cart, ...body },
      { caller, requestId },
    );
    return cartJson(res.cart);
  }

  @Public()
  @Patch('cart/items/:productId')
  async updateItem(
    @Param('productId', uuidParam('productId')) productId: string,
    @Body() body: UpdateCartItemDto,
    @Caller() caller: CallerIdentity | null,
    @Headers('cart-token') token: string | undefined,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call(
      'updateCartItem',
      { cartToken: caller ? '' : cartTokenOf(token), productId, quantity: body.quantity },
      { caller, requestId },
    );
    return cartJson(res.cart);
  }

  @Public()
  @Delete('cart/items/:productId')
  async removeItem(
    @Param('productId', uuidParam('productId')) productId: string,
    @Caller() caller: CallerIdentity | null,
    @Headers('cart-token') token: string | undefined,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call(
      'removeCartItem',
      { cartToken: caller ? '' : cartTokenOf(token), productId },
      { caller, requestId },
    );
    return cartJson(res.cart);
  }

  /** Moves an anonymous cart (its Cart-Token) into the signed-in buyer's. */
  @Roles('consumer', 'institution')
  @Post('cart/merge')
  @HttpCode(200)
  async merge(
    @Caller() caller: CallerIdentity,
    @Headers('cart-token') token: string | undefined,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call('mergeCart', { cartToken: cartTokenOf(token) }, { caller, requestId });
    return cartJson(res.cart);
  }

  /** Checks out the caller's cart. Repeat with the same Idempotency-Key to get the same order. */
  @Roles('consumer', 'institution')
  @Post('checkout')
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: true })
  async checkout(
    @Body() body: CheckoutDto,
    @Caller() caller: CallerIdentity,
    @Headers('idempotency-key') key: string | undefined,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call(
      'checkout',
      {
        idempotencyKey: idempotencyKeyOf(key, true),
        paymentMethod: METHOD[body.paymentMethod],
        donationFen: body.donationFen ?? 0,
        roundUp: body.roundUp ?? false,
      },
      { caller, requestId, deadlineMs: 15_000 },
    );
    return { order: orderJson(res.order!), clientSecret: res.clientSecret || null };
  }

  @Get('orders')
  async list(
    @Query() query: ListOrdersQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call(
      'listOrders',
      {
        page: { page: query.page ?? 1, pageSize: query.pageSize ?? 20 },
        status: enumWire<orders.OrderStatus>(query.status, 'ORDER_STATUS_'),
        cursor: query.cursor ?? '',
      },
      { caller, requestId, idempotent: true },
    );
    return {
      items: res.orders.map(orderJson),
      total: res.page?.total ?? 0,
      page: res.page?.page ?? 1,
      pageSize: res.page?.pageSize ?? 20,
      nextCursor: res.nextCursor || null,
    };
  }

  /** Order events (paid, refunded, cancelled) in delivery order: the relief office and auditors. */
  @Roles('relief_officer', 'auditor', 'admin')
  @Get('orders/events')
  async events(
    @Query() query: OrderEventsQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call(
      'listEvents',
      { afterId: query.afterId ?? 0, limit: query.limit ?? 100 },
      { caller, requestId, idempotent: true },
    );
    return {
      items: res.events.map((e) => ({
        id: e.id,
        eventId: e.eventId,
        type: e.type,
        orderId: e.orderId,
        sequence: e.sequence,
        order: orderJson(e.order!),
        refund: e.refund ? refundJson(e.refund) : null,
      })),
    };
  }

  @Get('orders/:id')
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call('getOrder', { id }, { caller, requestId, idempotent: true });
    return orderJson(res.order!);
  }

  @Post('orders/:id/cancel')
  @HttpCode(200)
  async cancel(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call('cancelOrder', { id }, { caller, requestId });
    return orderJson(res.order!);
  }

  /** A relief officer records the bank transfer or cash of a manual order. */
  @Roles('relief_officer', 'admin')
  @Post('orders/:id/payments/manual')
  @HttpCode(200)
  async confirmManual(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ManualPaymentDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call(
      'confirmManualPayment',
      { orderId: id, amount: { fen: body.amountFen, currency: 'CNY' }, reference: body.reference },
      { caller, requestId },
    );
    return orderJson(res.order!);
  }

  @Roles('producer_staff', 'relief_officer', 'admin')
  @Post('orders/:id/shipments')
  @HttpCode(200)
  async ship(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ShipmentDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call(
      'shipOrderLines',
      {
        orderId: id,
        lineIds: body.lineIds ?? [],
        carrier: body.carrier,
        trackingNumber: body.trackingNumber,
      },
      { caller, requestId },
    );
    return orderJson(res.order!);
  }

  @Roles('consumer', 'institution')
  @Post('orders/:id/delivery')
  @HttpCode(200)
  async deliver(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call('confirmDelivery', { orderId: id }, { caller, requestId });
    return orderJson(res.order!);
  }

  @Roles('producer_staff', 'relief_officer', 'admin')
  @Post('orders/:id/refunds')
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: false })
  async refund(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: RefundDto,
    @Caller() caller: CallerIdentity,
    @Headers('idempotency-key') key: string | undefined,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call(
      'refundOrder',
      {
        orderId: id,
        lines: body.lines ?? [],
        reason: body.reason,
        goodsReturned: body.goodsReturned ?? false,
        idempotencyKey: idempotencyKeyOf(key, false),
      },
      { caller, requestId },
    );
    return { refund: refundJson(res.refund!), order: orderJson(res.order!) };
  }

  /**
   * The relief office confirms that it paid a manual refund back (producer staff may ask for a
   * refund, never say that the money left).
   */
  @Roles('relief_officer', 'admin')
  @Post('orders/:id/refunds/:refundId/confirm')
  @HttpCode(200)
  async confirmRefund(
    @Param('id', uuidParam('id')) id: string,
    @Param('refundId', uuidParam('refundId')) refundId: string,
    @Body() body: ManualRefundDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.orders.call(
      'confirmManualRefund',
      { orderId: id, refundId, reference: body.reference },
      { caller, requestId },
    );
    return { refund: refundJson(res.refund!), order: orderJson(res.order!) };
  }

  /** An anonymous visitor without a cart gets one: its token travels back in `Cart-Token`. */
  private issueToken(caller: CallerIdentity | null, reply: FastifyReply): string {
    if (caller) {
      return '';
    }
    const token = newCartToken();
    void reply.header(CART_TOKEN_HEADER, token);
    return token;
  }
}
