import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { RefreshTokenRepository } from './refresh-token.repository';

/**
 * One refresh token of a sign-in. A sign-in is a family: each use of a token marks it used and
 * issues the next one in the same family; a token used twice means it was copied, and the whole
 * family is revoked.
 */
@Entity({ tableName: 'refresh_token', repository: () => RefreshTokenRepository })
@Index({ properties: ['familyId'] })
@Index({ properties: ['userId'] })
export class RefreshToken {
  [OptionalProps]?: 'createdAt' | 'usedAt' | 'revokedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The sign-in: the `sid` of every access token issued with a token of the family. */
  @Property({ type: 'uuid' })
  familyId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  /** SHA-256 of the token, hex: the token itself is never stored. */
  @Property({ type: 'text' })
  @Unique()
  tokenHash!: string;

  /** The `jti` of the access token issued with it, revoked with the family. */
  @Property({ type: 'text' })
  accessTokenId!: string;

  @Property({ type: 'timestamptz' })
  accessExpiresAt!: Date;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  /** When it was exchanged for the next one; a second exchange is a reuse. */
  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null;

  /** When its family was revoked (sign-out, or a reuse detected). */
  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
