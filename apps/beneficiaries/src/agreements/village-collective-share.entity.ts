import { Check, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * A village collective's share of a producer's sales (a village-run cooperative: 村集体), basis
 * points of each sale's gross, valid on [effectiveFrom, effectiveTo). Overlaps for one producer and
 * village are refused by an exclusion constraint (migration). The ledger credits it to the
 * village's collective account beside the household share.
 */
@Entity({ tableName: 'village_collective_share' })
@Check({ name: 'village_collective_share_bps', expression: 'share_bps > 0 and share_bps <= 5000' })
@Check({
  name: 'village_collective_share_period',
  expression: 'effective_to is null or effective_to > effective_from',
})
@Index({ properties: ['producerId', 'effectiveFrom'] })
export class VillageCollectiveShare {
  [OptionalProps]?: 'effectiveTo' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  producerId!: string;

  /** References village(id). */
  @Property({ type: 'uuid' })
  villageId!: string;

  @Property({ type: 'integer' })
  shareBps!: number;

  @Property({ type: 'date' })
  effectiveFrom!: string;

  @Property({ type: 'date', nullable: true })
  effectiveTo?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
