import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { ThrottlerOptions } from '@nestjs/throttler';

const AUTH_ROUTE = 'yugong:auth-rate-limited';

/**
 * Marks sign-up and sign-in: the targets of credential stuffing get the tighter `auth` limit on
 * top of the default one.
 */
export const AuthRateLimited = () => SetMetadata(AUTH_ROUTE, true);

/** The two limits, per client IP and minute: every route, and the auth routes. */
export function throttlers(perMinute: number, authPerMinute: number): ThrottlerOptions[] {
  return [
    { name: 'default', ttl: 60_000, limit: perMinute },
    {
      name: 'auth',
      ttl: 60_000,
      limit: authPerMinute,
      skipIf: (context: ExecutionContext) =>
        context.getHandler && !Reflect.getMetadata(AUTH_ROUTE, context.getHandler()),
    },
  ];
}
