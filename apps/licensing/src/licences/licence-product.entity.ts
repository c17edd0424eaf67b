import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A product a licence names. `live` is true while the licence is approved (whatever its period):
 * a partial unique index on `product_id where live` (see the migration) lets one live licence
 * cover a product at most, also when two officers approve overlapping applications at once.
 */
@Entity({ tableName: 'licence_product' })
@Index({ name: 'licence_product_product', properties: ['productId'] })
export class LicenceProduct {
  @PrimaryKey({ type: 'uuid' })
  licenceId!: string;

  @PrimaryKey({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'boolean', default: false })
  live: boolean = false;
}
