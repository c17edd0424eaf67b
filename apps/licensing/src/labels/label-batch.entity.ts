import { Check, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** Most codes one batch may hold. */
export const MAX_BATCH_CODES = 10_000;

/**
 * A batch of label codes a licensee ordered for a lot of a product its licence covered. What the
 * verify page shows of the product, producer and lot is copied here when the batch is ordered, so
 * a scan reads one row and asks no other service.
 */
@Entity({ tableName: 'label_batch' })
@Check({ name: 'label_batch_quantity', expression: `quantity between 1 and ${MAX_BATCH_CODES}` })
@Index({ name: 'label_batch_licence', properties: ['licenceId', 'createdAt'] })
export class LabelBatch {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  licenceId!: string;

  @Property({ type: 'uuid' })
  producerId!: string;

  @Property({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'uuid' })
  lotId!: string;

  @Property({ type: 'text' })
  lotCode!: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'text' })
  productNameZh!: string;

  @Property({ type: 'text' })
  productNameEn!: string;

  @Property({ type: 'text' })
  producerName!: string;

  @Property({ type: 'text' })
  originVillage!: string;

  @Property({ type: 'uuid' })
  orderedBy!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
