import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { SessionCheck, TokenService, type CallerIdentity, type VerifiedToken } from '@yugong/shared/auth';
import { LRUCache } from 'lru-cache';
import { lru } from '@yugong/shared/cache';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { AccountDisabled } from '../identity/identity.errors';
import { User } from '../identity/user.entity';
import { UserRepository, type UserState } from '../identity/user.repository';
import { RefreshToken } from './refresh-token.entity';
import { RefreshTokenRepository } from './refresh-token.repository';
import { RevokedTokens } from './revoked-tokens.store';
import { SessionEnded } from './sessions.errors';
import { validate as isUuid } from 'uuid';

/** What a sign-in or a refresh hands the client. */
export interface IssuedSession {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Single use: exchanged at POST /auth/refresh for the next pair. */
  refreshToken: string;
  refreshExpiresIn: number;
}

// Marks a user with no row: cached like a state, so a deleted user's tokens cost no query either.
const GONE = 'gone';

/**
 * Sessions: a sign-in is a family of refresh tokens, each exchanged once for an access token and
 * the next refresh token. Also the guard's {@link SessionCheck}: a token is refused once revoked
 * (sign-out, or its family revoked), and the caller's role, producers and whether they are
 * disabled are taken from the users table, not the token, at most SESSION_RECHECK_SECONDS old.
 *
 * Why re-read the user rather than keep a per-user "tokens issued before" time: a role or producer
 * change then takes effect everywhere without anyone having to remember to bump that time, a
 * promotion as well as a demotion, and a deleted user is refused too; the cost is one primary-key
 * read per user and process every SESSION_RECHECK_SECONDS.
 */
@Injectable()
export class SessionService extends SessionCheck {
  private readonly states: LRUCache<string, UserState | typeof GONE>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @InjectRepository(RefreshToken) private readonly refreshTokens: RefreshTokenRepository,
    @InjectRepository(User) private readonly users: UserRepository,
    private readonly em: EntityManager,
    private readonly tokens: TokenService,
    private readonly revoked: RevokedTokens,
  ) {
    super();
    this.states = lru(100_000, {
      // 0 disables the cache: every request reads the user.
      ttl: Math.max(1, config.SESSION_RECHECK_SECONDS * 1000),
      fetchMethod: async (userId) => (await this.users.stateOf(userId)) ?? GONE,
    });
  }

  /** @inheritDoc */
  async admit(token: VerifiedToken): Promise<CallerIdentity> {
    const { userId } = token.caller;
    const [revoked, state] = await Promise.all([this.revoked.isRevoked(token.tokenId), this.stateOf(userId)]);
    if (revoked || state === GONE) {
      throw new SessionEnded();
    }
    if (state.disabled) {
      throw new AccountDisabled();
    }
    return { userId, role: state.role, producerIds: state.producerIds };
  }

  /** Starts a session for a user who just signed in. */
  async start(user: User): Promise<IssuedSession> {
    return this.issue(user, randomUUID());
  }

  /**
   * Exchanges a refresh token for a new access token and the next refresh token. A token that was
   * already exchanged revokes its whole family: one of its two users is not its owner.
   *
   * @throws SessionEnded when the token is unknown, expired, revoked or used before
   * @throws AccountDisabled when its user was disabled
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    const now = new Date();
    const row = await this.refreshTokens.findOne({ tokenHash: hashOf(refreshToken) });
    if (!row || row.revokedAt || row.expiresAt <= now) {
      throw new SessionEnded();
    }
    if (!(await this.refreshTokens.markUsed(row.id, now))) {
      await this.revokeFamily(row.familyId, now);
      throw new SessionEnded();
    }
    const user = await this.users.findOne({ id: row.userId });
    if (!user) {
      throw new SessionEnded();
    }
    if (user.disabledAt) {
      throw new AccountDisabled();
    }
    return this.issue(user, row.familyId);
  }

  /** Signs out: the access token stops working now, and so does its refresh token family. */
  async end(token: VerifiedToken): Promise<void> {
    await this.revoked.revoke(token.tokenId, token.expiresAt);
    if (token.sessionId) {
      await this.revokeFamily(token.sessionId, new Date());
    }
  }

  /** Drops what this process remembers of a user, after a change made through it. */
  forget(userId: string): void {
    this.states.delete(userId);
  }

  private async stateOf(userId: string): Promise<UserState | typeof GONE> {
    // Not a uuid: no user has it (and PostgreSQL would refuse the comparison).
    if (!isUuid(userId)) {
      return GONE;
    }
    if (this.config.SESSION_RECHECK_SECONDS === 0) {
      return (await this.users.stateOf(userId)) ?? GONE;
    }
    return (await this.states.fetch(userId)) ?? GONE;
  }

  private async issue(user: User, familyId: string): Promise<IssuedSession> {
    const caller = { userId: user.id, role: user.role, producerIds: user.producerIds };
    const access = await this.tokens.issue(caller, familyId);
    const refreshToken = randomBytes(32).toString('base64url');
    const ttl = this.config.REFRESH_TTL_SECONDS;
    this.refreshTokens.create({
      familyId,
      userId: user.id,
      tokenHash: hashOf(refreshToken),
      accessTokenId: access.tokenId,
      accessExpiresAt: access.expiresAt,
      expiresAt: new Date(Date.now() + ttl * 1000),
    });
    await this.em.flush();
    return {
      accessToken: access.accessToken,
      expiresIn: access.expiresIn,
      refreshToken,
      refreshExpiresIn: ttl,
    };
  }

  private async revokeFamily(familyId: string, now: Date): Promise<void> {
    const live = await this.refreshTokens.revokeFamily(familyId, now);
    await Promise.all(live.map((token) => this.revoked.revoke(token.tokenId, token.expiresAt)));
  }
}

/** Refresh tokens are 256 random bits: a fast hash is enough to keep a database dump from using them. */
function hashOf(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('hex');
}
