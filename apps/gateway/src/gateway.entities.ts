import { User } from './identity/user.entity';
import { StripeInboxEvent } from './payments/stripe-inbox-event.entity';
import { RefreshToken } from './sessions/refresh-token.entity';

/** Every entity the gateway persists. */
export const GATEWAY_ENTITIES = [User, RefreshToken, StripeInboxEvent];
