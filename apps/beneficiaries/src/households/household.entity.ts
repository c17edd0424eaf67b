import {
  Check,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Village } from '../regions/village.entity';

export const HOUSEHOLD_STATUSES = ['registered', 'exited', 'monitored_edge', 'monitored_unstable'] as const;
export type HouseholdStatusName = (typeof HOUSEHOLD_STATUSES)[number];

/**
 * A registered household (建档立卡户). The head's name, national ID and payout account are stored
 * only as AES-256-GCM envelopes (see PiiCipher); the ID also as a keyed hash, unique, for lookup
 * and de-duplication. `piiKeyId` names the key of the envelopes, so rotation finds stale rows.
 */
@Entity({ tableName: 'household' })
@Check({ name: 'household_members_positive', expression: 'members >= 1' })
@Check({ name: 'household_baseline_income_not_negative', expression: 'baseline_income_fen >= 0' })
@Index({ properties: ['village', 'status'] })
@Index({ properties: ['piiKeyId'] })
export class Household {
  [OptionalProps]?:
    'status' | 'exitYear' | 'baselineIncomeFen' | 'payoutAccountEnc' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  @Unique()
  archiveNumber!: string;

  @ManyToOne(() => Village, { deleteRule: 'restrict' })
  village!: Village;

  @Property({ type: 'text' })
  headNameEnc!: string;

  @Property({ type: 'text' })
  nationalIdEnc!: string;

  /** HMAC-SHA256 of the normalized national ID, hex. */
  @Property({ type: 'string', length: 64 })
  @Unique()
  nationalIdHash!: string;

  @Property({ type: 'text', nullable: true })
  payoutAccountEnc?: string | null;

  @Property({ type: 'text' })
  piiKeyId!: string;

  @Property({ type: 'smallint' })
  members!: number;

  @Enum({ items: () => [...HOUSEHOLD_STATUSES], nativeEnumName: 'household_status', default: 'registered' })
  status: HouseholdStatusName = 'registered';

  @Property({ type: 'smallint', nullable: true })
  exitYear?: number | null;

  @Property({ type: 'bigint', default: 0 })
  baselineIncomeFen: number = 0;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
