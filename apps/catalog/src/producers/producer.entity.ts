import {
  Check,
  Entity,
  EntityRepositoryType,
  OptionalProps,
  Enum,
  Index,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ProducerRepository } from './producer.repository';

export const PRODUCER_KINDS = ['cooperative', 'leading_enterprise', 'family_farm', 'industry_base'] as const;
export type ProducerKindName = (typeof PRODUCER_KINDS)[number];

export const PRODUCER_STATUSES = ['pending', 'verified', 'suspended'] as const;
export type ProducerStatusName = (typeof PRODUCER_STATUSES)[number];

/** A relief cooperative, leading enterprise, family farm or industry base that sells on Yugong. */
@Entity({ tableName: 'producer', repository: () => ProducerRepository })
@Check({ name: 'producer_household_share_range', expression: 'household_share_bps between 0 and 10000' })
@Index({ properties: ['status', 'town'] })
export class Producer {
  [EntityRepositoryType]?: ProducerRepository;
  [OptionalProps]?: 'village' | 'status' | 'householdShareBps' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => [...PRODUCER_KINDS], nativeEnumName: 'producer_kind' })
  kind!: ProducerKindName;

  @Property({ type: 'text' })
  legalName!: string;

  @Property({ type: 'string', length: 18 })
  @Unique()
  creditCode!: string;

  @Property({ type: 'text' })
  town!: string;

  @Property({ type: 'text', default: '' })
  village: string = '';

  @Enum({ items: () => [...PRODUCER_STATUSES], nativeEnumName: 'producer_status', default: 'pending' })
  status: ProducerStatusName = 'pending';

  /** Part of each sale promised to households, 0..10000; a CHECK constraint holds the range. */
  @Property({ type: 'integer', default: 0 })
  householdShareBps: number = 0;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
