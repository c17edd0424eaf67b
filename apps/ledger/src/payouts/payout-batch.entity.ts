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

export const BATCH_STATES = ['draft', 'sent', 'settled'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/**
 * A payout batch: household balances and producer payables reserved for one bank transfer
 * file. `draft` (reserved: each line's fen moved to `payouts:pending:<batch>`) → `sent` (to
 * `payouts:in_transit`) →
 * `settled` (to `payouts:paid`, failed lines back to their payees); each move a conditional
 * update in the transaction that posts it. Payees are ids: no name or account is stored here.
 */
@Entity({ tableName: 'payout_batch' })
@Check({ name: 'payout_batch_state_known', expression: "state in ('draft', 'sent', 'settled')" })
@Check({
  name: 'payout_batch_moves_recorded',
  expression:
    "(state = 'draft') = (sent_at is null) and (state = 'settled') = (settled_at is not null) and minimum_fen > 0 and total_fen >= 0",
})
@Index({ name: 'payout_batch_state', properties: ['state', 'createdAt'] })
export class PayoutBatch {
  [OptionalProps]?: 'createdAt' | 'state' | 'number' | 'paidFen' | 'failedFen';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Short and increasing: the line references carry it (`PB12-0003`). */
  @Property({ type: new BigIntType('number'), autoincrement: true, columnType: 'bigserial' })
  @Unique({ name: 'payout_batch_number_unique' })
  number!: number;

  @Property({ type: 'text' })
  state: BatchState = 'draft';

  @Property({ type: new BigIntType('number') })
  minimumFen!: number;

  /** What the reserved lines hold. */
  @Property({ type: new BigIntType('number') })
  totalFen!: number;

  @Property({ type: 'int' })
  lineCount!: number;

  @Property({ type: 'int' })
  skippedCount!: number;

  @Property({ type: new BigIntType('number'), default: 0 })
  paidFen: number = 0;

  @Property({ type: new BigIntType('number'), default: 0 })
  failedFen: number = 0;

  @Property({ type: 'text' })
  memo!: string;

  @Property({ type: 'uuid' })
  createdBy!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'uuid', nullable: true })
  sentBy?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  sentAt?: Date | null;

  @Property({ type: 'uuid', nullable: true })
  settledBy?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  settledAt?: Date | null;
}
