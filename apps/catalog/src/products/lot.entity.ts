import {
  BigIntType,
  Check,
  Collection,
  Entity,
  Index,
  ManyToOne,
  OneToMany,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { LotSupplier } from './lot-supplier.entity';
import { Product } from './product.entity';

/**
 * A batch of a product (批次) with its own stock. `onHand` changes only through conditional
 * updates, and CHECK constraints keep 0 <= on_hand <= quantity, so stock can never go negative.
 * Its suppliers, when recorded, are the households a sale from it shares the household part with.
 */
@Entity({ tableName: 'lot' })
@Check({ name: 'lot_quantity_positive', expression: 'quantity > 0' })
@Check({ name: 'lot_on_hand_in_range', expression: 'on_hand >= 0 and on_hand <= quantity' })
@Unique({ properties: ['product', 'lotCode'] })
@Index({ properties: ['product', 'producedOn'] })
export class Lot {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Product, { deleteRule: 'restrict' })
  product!: Product;

  @Property({ type: 'text' })
  lotCode!: string;

  @Property({ type: 'date' })
  producedOn!: string;

  @Property({ type: new BigIntType('number') })
  quantity!: number;

  @Property({ type: new BigIntType('number') })
  onHand!: number;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @OneToMany(() => LotSupplier, (supplier) => supplier.lot, { orderBy: { position: 'asc' } })
  suppliers = new Collection<LotSupplier>(this);
}
