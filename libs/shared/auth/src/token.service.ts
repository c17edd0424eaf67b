import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { Unauthenticated } from '@yugong/shared/errors';
import { z } from 'zod';

import { ROLES, type CallerIdentity } from './caller.model';

/** DI token of the {@link TokenServiceOptions}, for `{ provide: TOKEN_SERVICE_OPTIONS, useValue }`. */
export const TOKEN_SERVICE_OPTIONS = Symbol('TOKEN_SERVICE_OPTIONS');

/** How tokens are signed. */
export interface TokenServiceOptions {
  /** HMAC key, at least 32 characters, from the environment. */
  secret: string;
  /** Lifetime of an access token in seconds. */
  ttlSeconds: number;
  /** `iss` claim written and required, e.g. `yugong`. */
  issuer: string;
  /** Current time in milliseconds; a fake clock in tests. */
  now?: () => number;
}

/** A freshly issued access token. */
export interface IssuedToken {
  /** The signed JWT, sent as `Authorization: Bearer <accessToken>`. */
  accessToken: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

const ALGORITHM = 'HS256';
const ID = z.string().min(1).max(128);

/** The claims of an access token (beyond `iss`, checked by the library). */
const claimsSchema = z.object({
  sub: ID,
  role: z.enum(ROLES),
  producers: z.array(ID).max(1000),
  iat: z.number().int(),
  exp: z.number().int(),
});

/**
 * Issues and verifies access tokens: JWTs signed with HS256, carrying `sub` (user id), `role`,
 * `producers`, `iat`, `exp` and `iss`. Provide it in the gateway with
 * `{ provide: TokenService, useValue: new TokenService({ secret, ttlSeconds, issuer }) }`.
 */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;
  private readonly now: () => number;

  /**
   * @param options - secret, lifetime and issuer
   * @throws RangeError when the secret is shorter than 32 characters or the lifetime is not a
   *   positive integer
   */
  constructor(@Inject(TOKEN_SERVICE_OPTIONS) private readonly options: TokenServiceOptions) {
    if (options.secret.length < 32) {
      throw new RangeError('token secret must be at least 32 characters');
    }
    if (!Number.isSafeInteger(options.ttlSeconds) || options.ttlSeconds <= 0) {
      throw new RangeError('token ttlSeconds must be a positive integer');
    }
    // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse
    // it as a public key on every verify, about 1 ms of CPU per signed-in request.
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(options.secret, 'utf8')) });
    this.now = options.now ?? Date.now;
  }

  /**
   * Signs an access token for a caller.
   *
   * @param caller - the signed-in user
   */
  async issue(caller: CallerIdentity): Promise<IssuedToken> {
    const iat = Math.floor(this.now() / 1000);
    const accessToken = await this.jwt.signAsync(
      { role: caller.role, producers: caller.producerIds, iat, exp: iat + this.options.ttlSeconds },
      { algorithm: ALGORITHM, issuer: this.options.issuer, subject: caller.userId },
    );
    return { accessToken, expiresIn: this.options.ttlSeconds };
  }

  /**
   * Verifies a token's signature, algorithm, issuer, expiry and claims.
   *
   * @param token - the JWT
   * @returns the caller it was issued to
   * @throws Unauthenticated when the token is expired, tampered, foreign or malformed
   */
  async verify(token: string): Promise<CallerIdentity> {
    let payload: unknown;
    try {
      payload = await this.jwt.verifyAsync<object>(token, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        clockTimestamp: Math.floor(this.now() / 1000),
      });
    } catch (err) {
      throw new Unauthenticated(err instanceof TokenExpiredError ? 'Token expired' : 'Invalid token');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new Unauthenticated('Invalid token');
    }
    return { userId: claims.data.sub, role: claims.data.role, producerIds: claims.data.producers };
  }
}
