import { createSecretKey, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { lru } from '@yugong/shared/cache';
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
  /** Its `jti`: the id a deny list revokes it by. */
  tokenId: string;
  /** When it expires: a revocation need not outlive this. */
  expiresAt: Date;
}

/** A token whose signature, issuer, expiry and claims were checked. */
export interface VerifiedToken {
  /** Who it was issued to, as the claims say at issue time. */
  caller: CallerIdentity;
  /** Its `jti`. */
  tokenId: string;
  /** Its `exp`. */
  expiresAt: Date;
  /** Its `sid`: the sign-in (refresh token family) it belongs to, when it has one. */
  sessionId?: string;
}

const ALGORITHM = 'HS256';
/** Verified tokens remembered per process: bounds memory whatever the traffic. */
const VERIFIED_ENTRIES = 10_000;
const ID = z.string().min(1).max(128);

/** The claims of an access token (beyond `iss`, checked by the library). */
const claimsSchema = z.object({
  sub: ID,
  role: z.enum(ROLES),
  producers: z.array(ID).max(1000),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: ID,
  sid: ID.optional(),
});

/**
 * Issues and verifies access tokens: JWTs signed with HS256, carrying `sub` (user id), `role`,
 * `producers`, `iat`, `exp`, `iss`, a unique `jti` and, for a sign-in, its session `sid`. Provide it in the gateway with
 * `{ provide: TokenService, useValue: new TokenService({ secret, ttlSeconds, issuer }) }`.
 */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;
  private readonly now: () => number;
  /**
   * Tokens already verified, by their exact text, until they expire: a signed-in user's next
   * requests need not check the same signature and claims again (any other text, a changed
   * character included, is verified in full). Revocation is not this cache's: the guard's
   * `SessionCheck` asks on every request.
   */
  private readonly verified = lru<string, VerifiedToken>(VERIFIED_ENTRIES);

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
   * @param sessionId - the sign-in it belongs to (written as `sid`)
   */
  async issue(caller: CallerIdentity, sessionId?: string): Promise<IssuedToken> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.options.ttlSeconds;
    const tokenId = randomUUID();
    const accessToken = await this.jwt.signAsync(
      {
        role: caller.role,
        producers: caller.producerIds,
        iat,
        exp,
        ...(sessionId === undefined ? {} : { sid: sessionId }),
      },
      { algorithm: ALGORITHM, issuer: this.options.issuer, subject: caller.userId, jwtid: tokenId },
    );
    return { accessToken, expiresIn: this.options.ttlSeconds, tokenId, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Verifies a token's signature, algorithm, issuer, expiry and claims.
   *
   * @param token - the JWT
   * @returns the caller it was issued to
   * @throws Unauthenticated when the token is expired, tampered, foreign or malformed
   */
  async verify(token: string): Promise<CallerIdentity> {
    return (await this.verifyToken(token)).caller;
  }

  /**
   * Like {@link verify}, and also answers the token's id, expiry and session, which revoking it
   * needs. Whether it was revoked is not this class's to know (see the guard's `SessionCheck`).
   *
   * @param token - the JWT
   * @throws Unauthenticated when the token is expired, tampered, foreign or malformed
   */
  async verifyToken(token: string): Promise<VerifiedToken> {
    const known = this.verified.get(token);
    // As jsonwebtoken decides expiry: valid while the current second is before `exp`.
    if (known && Math.floor(this.now() / 1000) < known.expiresAt.getTime() / 1000) {
      return known;
    }
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
    const { sub, role, producers, exp, jti, sid } = claims.data;
    const verified: VerifiedToken = Object.freeze({
      caller: Object.freeze({ userId: sub, role, producerIds: Object.freeze([...producers]) as string[] }),
      tokenId: jti,
      expiresAt: new Date(exp * 1000),
      ...(sid === undefined ? {} : { sessionId: sid }),
    });
    this.verified.set(token, verified);
    return verified;
  }
}
