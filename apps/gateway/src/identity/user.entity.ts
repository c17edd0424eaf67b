import { ArrayType, Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { Role } from '@yugong/shared/auth';
import { randomUUID } from 'node:crypto';

export const ROLES = [
  'consumer',
  'institution',
  'producer_staff',
  'relief_officer',
  'auditor',
  'admin',
] as const;

/** A person or institution who signs in to Yugong. */
@Entity({ tableName: 'app_user' })
@Index({ properties: ['role'] })
export class User {
  [OptionalProps]?: 'producerIds' | 'createdBy' | 'createdAt';

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
}
