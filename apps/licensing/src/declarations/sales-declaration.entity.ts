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
 * A licensee's declaration of the sales it made outside the platform in one quarter, with the
 * commitment the licence's terms make of them. PostgreSQL holds the rules: one declaration per
 * licence and quarter (a correction is refused, not overwritten: see README, "Quarterly
 * declarations"), and what was paid never exceeds the commitment.
 */
@Entity({ tableName: 'sales_declaration' })
@Unique({ name: 'sales_declaration_licence_quarter', properties: ['licenceId', 'quarter'] })
@Check({ name: 'sales_declaration_quarter_form', expression: `quarter ~ '^[0-9]{4}-Q[1-4]$'` })
@Check({
  name: 'sales_declaration_amounts',
  expression: 'units >= 0 and revenue_fen >= 0 and commitment_fen >= 0',
})
@Check({
  name: 'sales_declaration_paid_within_due',
  expression: 'paid_fen >= 0 and paid_fen <= commitment_fen',
})
@Index({ name: 'sales_declaration_producer', properties: ['producerId', 'quarter'] })
export class SalesDeclaration {
  [OptionalProps]?: 'paidFen' | 'declaredAt' | 'postedAt' | 'note';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  licenceId!: string;

  @Property({ type: 'uuid' })
  producerId!: string;

  /** `YYYY-Qn`, calendar quarters in China time. */
  @Property({ type: 'text' })
  quarter!: string;

  @Property({ type: new BigIntType('number') })
  units!: number;

  @Property({ type: new BigIntType('number') })
  revenueFen!: number;

  /** The licence's terms, copied: what the commitment was computed by. */
  @Property({ type: 'integer' })
  commitmentBps!: number;

  @Property({ type: new BigIntType('number') })
  minPerUnitFen!: number;

  @Property({ type: new BigIntType('number') })
  commitmentFen!: number;

  /** The sum of its payments, moved only by a conditional update within the commitment. */
  @Property({ type: new BigIntType('number'), default: 0 })
  paidFen: number = 0;

  @Property({ type: 'text', default: '' })
  note: string = '';

  @Property({ type: 'uuid' })
  declaredBy!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  declaredAt!: Date;

  /** When the ledger acknowledged the receivable (null: not yet; the posting job retries). */
  @Property({ type: 'timestamptz', nullable: true })
  postedAt?: Date | null = null;
}
