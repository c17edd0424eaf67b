import {
  BigIntType,
  Check,
  Entity,
  Index,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const RUN_STATES = ['proposed', 'approved', 'rejected', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const RUN_POLICIES = ['equal', 'per_member', 'by_status'] as const;
export type RunPolicy = (typeof RUN_POLICIES)[number];

/**
 * A distribution run of the relief fund: proposed by one officer with its preview (its
 * {@link DistributionShare} rows), then approved by another, which posts it, or rejected or
 * cancelled. PostgreSQL holds the four-eyes rule (the approver is never the proposer) and that an
 * approved run names its transaction; a state moves only from `proposed`, by a conditional update.
 * Officers are user ids; households are ids: no name, national ID or account is stored here.
 */
@Entity({ tableName: 'distribution_run' })
@Check({
  name: 'distribution_run_state_known',
  expression: "state in ('proposed', 'approved', 'rejected', 'cancelled')",
})
@Check({
  name: 'distribution_run_policy_known',
  expression: "policy in ('equal', 'per_member', 'by_status')",
})
@Check({ name: 'distribution_run_four_eyes', expression: "state <> 'approved' or decided_by <> proposed_by" })
@Check({
  name: 'distribution_run_decided',
  expression:
    "(state = 'proposed') = (decided_by is null) and (state = 'approved') = (transaction_id is not null)",
})
@Check({ name: 'distribution_run_total_positive', expression: 'total_fen > 0 and recipients > 0' })
@Unique({ name: 'distribution_run_idempotency', properties: ['proposedBy', 'idempotencyKey'] })
@Index({ name: 'distribution_run_state', properties: ['state', 'proposedAt'] })
export class DistributionRun {
  [OptionalProps]?: 'proposedAt' | 'state';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  state: RunState = 'proposed';

  @Property({ type: 'text' })
  policy!: RunPolicy;

  @Property({ type: 'uuid', nullable: true })
  townId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  villageId?: string | null;

  /** The household status the run was limited to; null: any. */
  @Property({ type: 'text', nullable: true })
  statusFilter?: string | null;

  /** The weight of each status under `by_status`. */
  @Property({ type: 'jsonb' })
  statusWeights!: Record<string, number>;

  /** The proposer asked for all that was available, and `totalFen` is what that was. */
  @Property({ type: 'boolean' })
  allAvailable!: boolean;

  @Property({ type: new BigIntType('number') })
  totalFen!: number;

  @Property({ type: 'int' })
  recipients!: number;

  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  @Property({ type: 'text' })
  memo!: string;

  /** The proposer's key; a repeat by the same proposer answers the first run. */
  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string | null;

  @Property({ type: 'uuid' })
  proposedBy!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  proposedAt!: Date;

  /** The approver, or who rejected or cancelled it. */
  @Property({ type: 'uuid', nullable: true })
  decidedBy?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  decisionReason?: string | null;

  /** The journal transaction the approval posted. */
  @Property({ type: 'uuid', nullable: true })
  transactionId?: string | null;
}
