import { ArrayType, Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { Role } from '@yugong/shared/auth';
import { randomUUID } from 'node:crypto';
import { UserRepository } from './user.repository';

export const ROLES = [
  'consumer',
  'institution',
  'producer_staff',
  'relief_officer',
  'auditor',
  'admin',
] as const;

/** A person or institution who signs in to Yugong. */
@Entity({ tableName: 'app_user', repository: () => UserRepository })
@Index({ properties: ['role'] })
export class User {
  [OptionalProps]?: 'producerIds' | 'createdBy' | 'createdAt' | 'disabledAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-cased; unique. */
  @Property({ type: 'text' })
  @Unique()
  email!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Enum({ items: () => [...ROLES], nativeEnumName: 'user_role' })
  role!: Role;

  /** Producers a producer_staff account acts for; empty for every other role. */
  @Property({ type: ArrayType, default: '{}' })
  producerIds: string[] = [];

  @Property({ type: 'uuid', nullable: true })
  createdBy?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** Set: the account may not sign in, and its tokens stop working (see SessionService). */
  @Property({ type: 'timestamptz', nullable: true })
  disabledAt?: Date | null;
}
