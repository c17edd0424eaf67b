import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  Controller,
  Headers,
  HttpCode,
  Inject,
  Logger,
  Post,
  Req,
  type RawBodyRequest,
} from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '@yugong/shared/auth';
import type { FastifyRequest } from 'fastify';
import { RequestId } from '../common/request-context.util';
import { PaymentEventsUnavailable } from './payments.errors';
import { OrdersClient } from '../orders/orders.client';
import { StripeWebhookRejected } from './payments.errors';
import { STRIPE_SIGNATURE_HEADER, StripeWebhookVerifier } from './stripe-webhook';

/** DI token of the verifier built from STRIPE_WEBHOOK_SECRET. */
export const STRIPE_WEBHOOK_VERIFIER = Symbol('STRIPE_WEBHOOK_VERIFIER');

/**
 * Stripe's webhook deliveries. Registered only when STRIPE_WEBHOOK_SECRET is set. The body is
 * checked byte for byte against the `Stripe-Signature` header (the gateway keeps every JSON body's
 * raw bytes, see `rawBody` in the bootstrap), and only a genuine, fresh event reaches the orders
 * service, which applies each event id once, in any order.
 */
@ApiTags('payments')
@Controller('payments/stripe')
export class StripeWebhookController {
  private readonly logger = new Logger(StripeWebhookController.name);

  constructor(
    @Inject(STRIPE_WEBHOOK_VERIFIER) private readonly verifier: StripeWebhookVerifier,
    private readonly orders: OrdersClient,
  ) {}

  /** 200 `{received: true}` for an applied or already seen event; 400 naming why for anything Stripe did not sign. */
  @Public()
  // Stripe delivers from a few addresses in bursts; a per-IP limit would only delay payments. An
  // unsigned request costs one HMAC and reaches nothing.
  @SkipThrottle()
  @Post('webhook')
  @HttpCode(200)
  @ApiHeader({ name: 'Stripe-Signature', required: true })
  @ApiOkResponse({ schema: { example: { received: true } } })
  async receive(
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Headers(STRIPE_SIGNATURE_HEADER) signature: string | string[] | undefined,
    @RequestId() requestId: string,
  ): Promise<{ received: true }> {
    if (!request.rawBody) {
      throw new StripeWebhookRejected('body', 'must be the JSON Stripe sent');
    }
    const event = this.verifier.verify(request.rawBody, signature);
    try {
      // Orders applies each event id at most once, so repeating the call is safe.
      const res = await this.orders.call('applyPaymentEvent', event, { requestId, idempotent: true });
      this.logger.log(
        `stripe event ${event.eventId} (${event.type}) ${res.applied ? 'applied' : 'already applied or no change'}`,
      );
    } catch (error) {
      if ((error as { code?: unknown }).code === GrpcStatus.UNIMPLEMENTED) {
        throw new PaymentEventsUnavailable();
      }
      throw error;
    }
    return { received: true };
  }
}
