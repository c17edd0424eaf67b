import { SetMetadata } from '@nestjs/common';
import type { Principal, ServiceName } from '@yugong/shared/auth';

/**
 * The callers a gRPC method accepts: for each calling service, on whose behalf it may call. A
 * service or principal not listed is refused with PERMISSION_DENIED before the handler runs.
 */
export type CallerPolicy = Partial<Record<ServiceName, readonly Principal[]>>;

/** Reflection key of {@link Accepts}. */
export const ACCEPTED_CALLERS = 'yugong:accepted-callers';

/** A signed-in user or nobody: a public read through the gateway. */
export const PUBLIC: readonly Principal[] = ['user', 'anonymous'];
/** A signed-in user only. */
export const USER: readonly Principal[] = ['user'];
/** The calling service itself, for no end user. */
export const SERVICE: readonly Principal[] = ['service'];

/**
 * Declares who may call a gRPC method. Every handler declares it: one without is refused.
 *
 * @example
 * \@GrpcMethod(ORDERS_SERVICE_NAME, 'ApplyPaymentEvent')
 * \@Accepts({ gateway: SERVICE }) // the gateway's webhook, after checking Stripe's signature
 */
export const Accepts = (policy: CallerPolicy): MethodDecorator => SetMetadata(ACCEPTED_CALLERS, policy);
