import {
  ArrayType,
  Entity,
  EntityRepositoryType,
  OptionalProps,
  Enum,
  Formula,
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
@Index({ properties: ['status', 'town'] })
export class Producer {
  [EntityRepositoryType]?: ProducerRepository;
  [OptionalProps]?:
    'village' | 'status' | 'householdShareBps' | 'documents' | 'appliedBy' | 'createdAt' | 'updatedAt';

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

  /**
   * Part of each sale promised to households, 0..10000, in force now: read from the producer's
   * {@link HouseholdShare} history (the latest step that has begun), never stored here.
   */
  @Formula(
    (alias) =>
      `coalesce((select s.basis_points from household_share s where s.producer_id = ${alias}.id and s.effective_from <= now() order by s.effective_from desc limit 1), 0)`,
  )
  householdShareBps: number = 0;

  /** References to the application's documents (ids or URLs of a document store). */
  @Property({ type: ArrayType, default: '{}' })
  documents: string[] = [];

  /** The producer staff user who applied; null when the relief office registered it. */
  @Property({ type: 'uuid', nullable: true })
  appliedBy?: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
