import {
  BigIntType,
  Check,
  Entity,
  Enum,
  Index,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const LICENCE_STATUSES = [
  'pending',
  'approved',
  'rejected',
  'suspended',
  'revoked',
  'expired',
] as const;
export type LicenceStatusName = (typeof LICENCE_STATUSES)[number];

/**
 * A producer's LOGO licence: its application, the commitment it states (per unit, the larger of
 * `commitmentBps` of the unit price and `minPerUnitFen`), and, once approved, its number and
 * validity. It covers its products while `approved` and its period contains now. PostgreSQL
 * holds the rules: a number is issued once, a commitment is stated, an approved licence has a
 * period that is not empty, and a product is covered by one live licence at most
 * (`licence_product_live`, see {@link LicenceProduct}).
 */
@Entity({ tableName: 'licence' })
@Check({ name: 'licence_commitment_bps', expression: 'commitment_bps between 0 and 3000' })
@Check({ name: 'licence_min_per_unit', expression: 'min_per_unit_fen >= 0' })
@Check({ name: 'licence_commitment_stated', expression: 'commitment_bps > 0 or min_per_unit_fen > 0' })
@Check({
  name: 'licence_period',
  expression: `(valid_from is null and valid_to is null) or valid_from < valid_to`,
})
@Check({
  name: 'licence_approved_has_period',
  expression: `status in ('pending', 'rejected') or (number is not null and valid_to is not null)`,
})
@Index({ name: 'licence_producer', properties: ['producerId', 'createdAt'] })
@Index({ name: 'licence_status_end', properties: ['status', 'validTo'] })
export class Licence {
  [OptionalProps]?:
    | 'status'
    | 'number'
    | 'validFrom'
    | 'validTo'
    | 'note'
    | 'createdAt'
    | 'updatedAt'
    | 'version'
    | 'syncedVersion';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** LOGO-<year>-<6 digits>, issued on approval. */
  @Property({ type: 'text', nullable: true })
  @Unique({ name: 'licence_number_unique' })
  number?: string | null = null;

  @Property({ type: 'uuid' })
  producerId!: string;

  @Property({ type: 'integer' })
  commitmentBps!: number;

  @Property({ type: new BigIntType('number') })
  minPerUnitFen!: number;

  @Enum({ items: () => [...LICENCE_STATUSES], nativeEnumName: 'licence_status', default: 'pending' })
  status: LicenceStatusName = 'pending';

  @Property({ type: 'timestamptz', nullable: true })
  validFrom?: Date | null = null;

  /** Exclusive. */
  @Property({ type: 'timestamptz', nullable: true })
  validTo?: Date | null = null;

  @Property({ type: 'text', default: '' })
  note: string = '';

  /** The user who applied. */
  @Property({ type: 'uuid' })
  appliedBy!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  /** Bumped by every move that changes what the licence covers. */
  @Property({ type: 'integer', default: 0 })
  version: number = 0;

  /** The `version` catalog was last told of; behind `version` until the push succeeds. */
  @Property({ type: 'integer', default: 0 })
  syncedVersion: number = 0;
}
