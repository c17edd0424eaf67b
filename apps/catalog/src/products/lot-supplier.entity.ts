import {
  BigIntType,
  Check,
  Entity,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
  type Rel,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Lot } from './lot.entity';

/**
 * A household that supplied part of a lot, and how many units (e.g. rabbits raised by a household
 * and bought by the producer). The household lives in the beneficiaries register: its id is kept
 * without a foreign key, and checked with that service when the lot is recorded.
 */
@Entity({ tableName: 'lot_supplier' })
@Check({ name: 'lot_supplier_quantity_positive', expression: 'quantity > 0' })
@Unique({ properties: ['lot', 'householdId'] })
@Index({ properties: ['householdId'] })
export class LotSupplier {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  // Rel<>: lot.entity imports this file too, and a bare class type would be read before it exists.
  @ManyToOne(() => Lot, { deleteRule: 'cascade' })
  lot!: Rel<Lot>;

  @Property({ type: 'uuid' })
  householdId!: string;

  @Property({ type: new BigIntType('number') })
  quantity!: number;

  /** Order in which the suppliers were given (0 first). */
  @Property({ type: 'smallint' })
  position!: number;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
