import {
  Check,
  Entity,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
  type Rel,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Producer } from './producer.entity';

/**
 * One step of a producer's household share (the basis points of each sale its benefit agreements
 * promise to households): the share in force at instant t is the row with the latest
 * `effectiveFrom` <= t. Rows are only ever added (a change is a new row, never an edit), so the
 * table is the share's history: who set what, when, from when on, and why. PostgreSQL holds the
 * range and one row per (producer, instant).
 */
@Entity({ tableName: 'household_share' })
@Check({ name: 'household_share_range', expression: 'basis_points between 0 and 10000' })
@Unique({ name: 'household_share_producer_effective_from', properties: ['producer', 'effectiveFrom'] })
export class HouseholdShare {
  [OptionalProps]?: 'createdAt' | 'changedBy';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Producer, { deleteRule: 'cascade' })
  producer!: Rel<Producer>;

  @Property({ type: 'integer' })
  basisPoints!: number;

  @Property({ type: 'timestamptz' })
  effectiveFrom!: Date;

  @Property({ type: 'text' })
  reason!: string;

  /** The user who recorded the step; null when the platform did (the demo seed, the migration). */
  @Property({ type: 'uuid', nullable: true })
  changedBy?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
