import { Check, Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const AGREEMENT_KINDS = ['employment', 'dividend', 'supply', 'land_lease'] as const;
export type AgreementKindName = (typeof AGREEMENT_KINDS)[number];

/**
 * A benefit agreement (带贫关系) between a producer (owned by catalog, so no foreign key) and a
 * household, valid on [effectiveFrom, effectiveTo). Overlaps of the same producer, household and
 * kind are refused by an exclusion constraint (migration); the village is copied from the household
 * so that the shares of a sale come from this table alone.
 */
@Entity({ tableName: 'benefit_agreement' })
@Check({ name: 'benefit_agreement_weight_positive', expression: 'weight > 0' })
@Check({
  name: 'benefit_agreement_period',
  expression: 'effective_to is null or effective_to > effective_from',
})
// Who shares in a sale (GetBenefitShares) is read from this index alone: a producer's rows in the
// answer's order, with every column the answer and its date filter need (an index-only scan, no sort).
@Index({
  name: 'benefit_agreement_shares_index',
  expression:
    'create index "benefit_agreement_shares_index" on "benefit_agreement" ("producer_id", "household_id", "id") include ("village_id", "kind", "weight", "effective_from", "effective_to")',
})
@Index({ properties: ['householdId'] })
export class BenefitAgreement {
  [OptionalProps]?: 'effectiveTo' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  producerId!: string;

  /** References household(id); a plain column so that bulk paths need no entity. */
  @Property({ type: 'uuid' })
  householdId!: string;

  @Property({ type: 'uuid' })
  villageId!: string;

  @Enum({ items: () => [...AGREEMENT_KINDS], nativeEnumName: 'agreement_kind' })
  kind!: AgreementKindName;

  @Property({ type: 'integer' })
  weight!: number;

  /** YYYY-MM-DD, inclusive. */
  @Property({ type: 'date' })
  effectiveFrom!: string;

  /** YYYY-MM-DD, exclusive; null while open-ended. */
  @Property({ type: 'date', nullable: true })
  effectiveTo?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
