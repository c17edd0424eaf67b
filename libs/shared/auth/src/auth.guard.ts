import { Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PermissionDenied, Unauthenticated } from '@yugong/shared/errors';

import { IS_PUBLIC_KEY, ROLES_KEY, type RequestWithCaller } from './auth.decorators';
import type { CallerIdentity, Role } from './caller.model';
import { TokenService, type VerifiedToken } from './token.service';

const BEARER = /^Bearer +([A-Za-z0-9\-_.]+)$/i;

/**
 * What the {@link AuthGuard} asks, after a token's signature and expiry check out, whether the
 * session behind it is still good: the one place where a deployment decides revocation and the
 * user's current state. Provide a subclass under this class as the DI token; without one, the
 * token's own claims are believed until it expires.
 */
export abstract class SessionCheck {
  /**
   * @param token - a token whose signature, issuer and expiry were verified
   * @returns the caller as of now (role and producers may differ from the token's)
   * @throws Unauthenticated when the token was revoked or its user may no longer sign in
   */
  abstract admit(token: VerifiedToken): Promise<CallerIdentity>;
}

/**
 * HTTP guard of the gateway. Reads `Authorization: Bearer <jwt>`, verifies it with the
 * {@link TokenService} provided in the module (its class is the DI token), and puts the caller on
 * the request for `@Caller()`:
 *
 * - no header: anonymous (`null`), allowed only on `@Public()` routes, otherwise 401;
 * - a malformed header or an invalid or expired token: 401, even on public routes, so that a
 *   client learns its token no longer works;
 * - a valid token the {@link SessionCheck} refuses (revoked, user disabled): 401 likewise; the
 *   caller it answers replaces the token's claims;
 * - `@Roles(...)`: 403 when the caller's role is not one of them.
 *
 * Errors are `Unauthenticated`/`PermissionDenied` from `@yugong/shared/errors`, answered by its
 * `HttpErrorFilter`. Register as `{ provide: APP_GUARD, useClass: AuthGuard }`. It applies to HTTP
 * only; other contexts pass through.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /**
   * @param reflector - reads `@Public()` and `@Roles()`
   * @param tokens - verifies bearer tokens
   * @param sessions - revocation and the user's current state, when the module provides it
   */
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @Optional() private readonly sessions?: SessionCheck,
  ) {}

  /** Identifies the caller and checks the route's rules. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const token = await this.identify(request.headers['authorization']);
    const caller = token && (this.sessions ? await this.sessions.admit(token) : token.caller);
    request.token = token ?? undefined;
    request.caller = caller;

    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets) === true;
    if (!caller) {
      if (isPublic && !roles) {
        return true;
      }
      throw new Unauthenticated();
    }
    if (roles && !roles.includes(caller.role)) {
      throw new PermissionDenied(`requires the role ${roles.join(' or ')}`);
    }
    return true;
  }

  private async identify(header: string | string[] | undefined): Promise<VerifiedToken | null> {
    if (header === undefined) {
      return null;
    }
    const token = typeof header === 'string' ? BEARER.exec(header.trim())?.[1] : undefined;
    if (!token) {
      throw new Unauthenticated('Authorization header must be "Bearer <token>"');
    }
    return this.tokens.verifyToken(token);
  }
}
