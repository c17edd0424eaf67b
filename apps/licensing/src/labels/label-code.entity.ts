import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * One issued label code (its canonical text, the primary key: unique) and its scan counters,
 * moved by additions from the scans each licensing process counted (`LabelRepository.writeScans`).
 * `revokedScans` counts the scans made while the code's licence was revoked (a counterfeit signal).
 */
@Entity({ tableName: 'label_code' })
@Unique({ name: 'label_code_batch', properties: ['batchId', 'position'] })
@Index({ name: 'label_code_scans', properties: ['scans'] })
export class LabelCode {
  [OptionalProps]?: 'scans' | 'revokedScans' | 'lastScannedAt';

  @PrimaryKey({ type: 'text' })
  code!: string;

  @Property({ type: 'uuid' })
  batchId!: string;

  /** 0-based place in its batch (the order of the printed sheet). */
  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: new BigIntType('number'), default: 0 })
  scans: number = 0;

  @Property({ type: new BigIntType('number'), default: 0 })
  revokedScans: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  lastScannedAt?: Date | null = null;
}
