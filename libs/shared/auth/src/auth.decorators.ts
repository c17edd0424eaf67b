import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';

import type { CallerIdentity, Role } from './caller.model';
import type { VerifiedToken } from './token.service';

/** Metadata key set by {@link Public}. */
export const IS_PUBLIC_KEY = 'yugong:auth:public';

/** Metadata key set by {@link Roles}. */
export const ROLES_KEY = 'yugong:auth:roles';

/** The request as the {@link AuthGuard} leaves it: with the caller, `null` when anonymous. */
export interface RequestWithCaller {
  /** Request headers (Fastify and Express both lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** Set by the guard. */
  caller?: CallerIdentity | null;
  /** The bearer token the caller was identified by (set by the guard; absent when anonymous). */
  token?: VerifiedToken;
}

/** Lets anonymous callers reach a route (a valid token still identifies the caller). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/**
 * Restricts a route (or controller) to callers with one of the roles; checked by the
 * {@link AuthGuard}: 401 when anonymous, 403 when the role does not match.
 *
 * @param roles - the roles allowed
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/**
 * Injects the caller the {@link AuthGuard} put on the request: a `CallerIdentity`, or `null` on a
 * `@Public()` route called anonymously.
 */
export const Caller = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): CallerIdentity | null =>
    ctx.switchToHttp().getRequest<RequestWithCaller>().caller ?? null,
);

/**
 * Injects the bearer token the {@link AuthGuard} verified for this request (its id, expiry and
 * session, e.g. to revoke it), `undefined` when the caller is anonymous.
 */
export const CurrentToken = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): VerifiedToken | undefined =>
    ctx.switchToHttp().getRequest<RequestWithCaller>().token,
);
