import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** One unmasked read of a household's personal data: who, when, which household, why. */
@Entity({ tableName: 'pii_access' })
@Index({ properties: ['householdId', 'accessedAt'] })
@Index({ properties: ['accessedAt'] })
export class PiiAccess {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  role!: string;

  @Property({ type: 'uuid' })
  householdId!: string;

  @Property({ type: 'text' })
  purpose!: string;

  /** The RPC that read it. */
  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'timestamptz' })
  accessedAt: Date = new Date();
}
