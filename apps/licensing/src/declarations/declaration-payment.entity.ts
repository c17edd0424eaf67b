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

/**
 * A payment of a declared commitment, as an officer recorded it. The client's idempotency key is
 * unique per declaration, so a repeat records nothing; the declaration's `paid_fen` moves in the
 * same transaction, within its commitment.
 */
@Entity({ tableName: 'declaration_payment' })
@Unique({ name: 'declaration_payment_key', properties: ['declarationId', 'idempotencyKey'] })
@Check({ name: 'declaration_payment_positive', expression: 'amount_fen > 0' })
@Index({ name: 'declaration_payment_unposted', properties: ['postedAt'] })
export class DeclarationPayment {
  [OptionalProps]?: 'recordedAt' | 'postedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  declarationId!: string;

  @Property({ type: new BigIntType('number') })
  amountFen!: number;

  @Property({ type: 'text' })
  reference!: string;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'uuid' })
  recordedBy!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  recordedAt!: Date;

  /** When the ledger acknowledged it (null: not yet; the posting job retries). */
  @Property({ type: 'timestamptz', nullable: true })
  postedAt?: Date | null = null;
}
