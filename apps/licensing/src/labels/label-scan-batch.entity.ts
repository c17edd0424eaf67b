import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A batch of scans a gateway sent (`RecordLabelScans`), by the id it picked: recorded in the
 * transaction that counts its scans, so a retried batch is refused by the primary key and counted
 * once. Rows older than a day are deleted by the flush job (a gateway retries for seconds).
 */
@Entity({ tableName: 'label_scan_batch' })
export class LabelScanBatch {
  [OptionalProps]?: 'recordedAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', index: 'label_scan_batch_recorded_at' })
  recordedAt!: Date;
}
