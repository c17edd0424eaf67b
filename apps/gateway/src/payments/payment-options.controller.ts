import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Public } from '@yugong/shared/auth';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** How a buyer can pay on this deployment. */
export class PaymentOptionsView {
  @ApiProperty({ description: 'bank transfer (or cash) confirmed by the relief office; always offered' })
  manual!: true;

  @ApiProperty({ description: "card through Stripe's Payment Element" })
  card!: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'for Stripe.js; null without card payments',
  })
  stripePublishableKey!: string | null;
}

/** What the checkout offers: a bank transfer always, a card when a Stripe publishable key is set. */
@ApiTags('payments')
@Controller('payments')
export class PaymentOptionsController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Public()
  @Get('options')
  @ApiOkResponse({ type: PaymentOptionsView })
  options(): PaymentOptionsView {
    const key = this.config.STRIPE_PUBLISHABLE_KEY ?? null;
    return { manual: true, card: key !== null, stripePublishableKey: key };
  }
}
