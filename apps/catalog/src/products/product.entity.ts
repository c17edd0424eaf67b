import {
  ArrayType,
  BigIntType,
  Check,
  Entity,
  EntityRepositoryType,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Producer } from '../producers/producer.entity';
import { ProductRepository } from './product.repository';

export const PRODUCT_STATUSES = ['draft', 'active', 'archived'] as const;
export type ProductStatusName = (typeof PRODUCT_STATUSES)[number];

/** Something a producer sells, at a price in fen per unit. Stock lives on its lots. */
@Entity({ tableName: 'product', repository: () => ProductRepository })
@Check({ name: 'product_price_positive', expression: 'price_fen > 0' })
@Index({ properties: ['producer', 'status'] })
@Index({ properties: ['category', 'status'] })
export class Product {
  [EntityRepositoryType]?: ProductRepository;
  [OptionalProps]?:
    | 'nameEn'
    | 'currency'
    | 'imageUrls'
    | 'originVillage'
    | 'reliefCertification'
    | 'status'
    | 'stockSource'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Producer, { deleteRule: 'restrict' })
  producer!: Producer;

  @Property({ type: 'text' })
  nameZh!: string;

  @Property({ type: 'text', default: '' })
  nameEn: string = '';

  @Property({ type: 'text' })
  category!: string;

  @Property({ type: 'text' })
  unit!: string;

  /** Price of one unit in minor units; a CHECK constraint keeps it positive. */
  @Property({ type: new BigIntType('number') })
  priceFen!: number;

  @Property({ type: 'string', length: 3, default: 'CNY' })
  currency: string = 'CNY';

  @Property({ type: ArrayType, default: '{}' })
  imageUrls: string[] = [];

  @Property({ type: 'text', default: '' })
  originVillage: string = '';

  @Property({ type: 'text', default: '' })
  reliefCertification: string = '';

  /**
   * When set, the product has no lots of its own and sells from this product's lots (same
   * producer, and the source has no source itself): a gift box and a 2 kg pack of one meat.
   */
  @ManyToOne(() => Product, { nullable: true, deleteRule: 'restrict', fieldName: 'stock_source_id' })
  stockSource?: Product | null;

  @Enum({ items: () => [...PRODUCT_STATUSES], nativeEnumName: 'product_status', default: 'draft' })
  status: ProductStatusName = 'draft';

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
