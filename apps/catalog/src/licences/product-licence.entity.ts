import { Check, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The LOGO licence covering a product, as the licensing service last told catalog (licensing
 * owns licences; this is its copy for listings). The storefront shows the LOGO while the row's
 * period contains now: `licensedNowSql`.
 */
@Entity({ tableName: 'product_licence' })
@Check({ name: 'product_licence_period', expression: 'valid_from < valid_to' })
@Index({ name: 'product_licence_licence', properties: ['licenceId'] })
export class ProductLicence {
  @PrimaryKey({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'uuid' })
  licenceId!: string;

  @Property({ type: 'text' })
  licenceNumber!: string;

  @Property({ type: 'timestamptz' })
  validFrom!: Date;

  /** Exclusive. */
  @Property({ type: 'timestamptz' })
  validTo!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
