import type { Redis } from 'ioredis';
import { lru } from '@yugong/shared/cache';

/**
 * The deny list of access tokens, by `jti`. An entry lives until the token would have expired
 * anyway, so the list holds at most the tokens revoked within one access-token lifetime.
 */
export abstract class RevokedTokens {
  /** Refuses the token `tokenId` from now until `until`. */
  abstract revoke(tokenId: string, until: Date): Promise<void>;

  abstract isRevoked(tokenId: string): Promise<boolean>;
}

const KEY = 'revoked-token:';

/** The deny list in Redis: every gateway process sees a revocation at once. */
export class RedisRevokedTokens extends RevokedTokens {
  constructor(private readonly redis: Redis) {
    super();
  }

  async revoke(tokenId: string, until: Date): Promise<void> {
    const ms = until.getTime() - Date.now();
    if (ms > 0) {
      await this.redis.set(`${KEY}${tokenId}`, '1', 'PX', ms);
    }
  }

  async isRevoked(tokenId: string): Promise<boolean> {
    return (await this.redis.exists(`${KEY}${tokenId}`)) === 1;
  }
}

/** The deny list of a gateway without Redis: this process only, as its other in-process stores. */
export class MemoryRevokedTokens extends RevokedTokens {
  // Sized far above the tokens one machine could revoke within an access-token lifetime.
  private readonly entries = lru<string, true>(1_000_000, { ttlAutopurge: true });

  async revoke(tokenId: string, until: Date): Promise<void> {
    const ms = until.getTime() - Date.now();
    if (ms > 0) {
      this.entries.set(tokenId, true, { ttl: ms });
    }
  }

  async isRevoked(tokenId: string): Promise<boolean> {
    return this.entries.has(tokenId);
  }
}

/** The deny list in Redis when the gateway has one, else in this process. */
export function revokedTokensStore(redis: Redis | null): RevokedTokens {
  return redis ? new RedisRevokedTokens(redis) : new MemoryRevokedTokens();
}
