import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '@yugong/shared/auth';
import type { FastifyRequest } from 'fastify';
import { StripeWebhookRejected } from './payments.errors';
import { STRIPE_SIGNATURE_HEADER } from './stripe-webhook';
import { StripeWebhookIntake } from './stripe-webhook-intake.service';

/**
 * Stripe's webhook deliveries. Registered only when STRIPE_WEBHOOK_SECRET is set. Deliveries are
 * answered by the Fastify hook of `stripe-webhook.fast-path.ts` before they reach Nest; this route
 * documents the endpoint (OpenAPI) and does the same thing for any request that gets here.
 */
@ApiTags('payments')
@Controller('payments/stripe')
export class StripeWebhookController {
  constructor(private readonly intake: StripeWebhookIntake) {}

  /**
   * 200 `{received: true}` once the event is stored (applied to its order shortly after, once per
   * event id); 400 naming why for anything Stripe did not sign, and nothing stored.
   */
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
  ): Promise<{ received: true }> {
    if (!request.rawBody) {
      throw new StripeWebhookRejected('body', 'must be the JSON Stripe sent');
    }
    await this.intake.receive(request.rawBody, signature);
    return { received: true };
  }
}
