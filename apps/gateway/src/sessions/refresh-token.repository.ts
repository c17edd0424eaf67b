import { EntityRepository } from '@mikro-orm/postgresql';
import type { RefreshToken } from './refresh-token.entity';

/** An access token still to be put on the deny list when its family is revoked. */
export interface LiveAccessToken {
  tokenId: string;
  expiresAt: Date;
}

/** Every query on refresh tokens. */
export class RefreshTokenRepository extends EntityRepository<RefreshToken> {
  /**
   * Marks the token used, only if it is neither used nor revoked: of two exchanges of one token,
   * however close, exactly one gets `true`.
   */
  async markUsed(id: string, now: Date): Promise<boolean> {
    const changed = await this.nativeUpdate({ id, usedAt: null, revokedAt: null }, { usedAt: now });
    return changed === 1;
  }

  /**
   * Revokes every token of the family not revoked yet.
   *
   * @returns the access tokens issued with the family that have not expired yet
   */
  async revokeFamily(familyId: string, now: Date): Promise<LiveAccessToken[]> {
    await this.nativeUpdate({ familyId, revokedAt: null }, { revokedAt: now });
    const rows = await this.find(
      { familyId, accessExpiresAt: { $gt: now } },
      { fields: ['accessTokenId', 'accessExpiresAt'], disableIdentityMap: true },
    );
    return rows.map((row) => ({ tokenId: row.accessTokenId, expiresAt: row.accessExpiresAt }));
  }
}
