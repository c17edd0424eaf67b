import { BigIntType, Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A recipient of a distribution run and its fen, fixed when the run is proposed: the preview the
 * approver sees is exactly what the approval posts. A household id with its village, town, members
 * and status as beneficiaries answered them then; nothing that names a person.
 */
@Entity({ tableName: 'distribution_share' })
@Check({ name: 'distribution_share_fen', expression: 'fen >= 0 and weight >= 0 and members >= 0' })
export class DistributionShare {
  @PrimaryKey({ type: 'uuid' })
  runId!: string;

  @PrimaryKey({ type: 'uuid' })
  householdId!: string;

  @Property({ type: 'uuid' })
  villageId!: string;

  @Property({ type: 'uuid' })
  townId!: string;

  @Property({ type: 'int' })
  members!: number;

  @Property({ type: 'text' })
  status!: string;

  @Property({ type: new BigIntType('number') })
  weight!: number;

  @Property({ type: new BigIntType('number') })
  fen!: number;
}
