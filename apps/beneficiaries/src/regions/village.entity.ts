import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Town } from './town.entity';

/** A village (村) of a town; a registered poor village (建档立卡贫困村) records its exit year. */
@Entity({ tableName: 'village' })
@Unique({ properties: ['town', 'nameZh'] })
@Index({ properties: ['registeredPoor'] })
export class Village {
  [OptionalProps]?: 'nameEn' | 'registeredPoor' | 'exitYear';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Town, { deleteRule: 'restrict' })
  town!: Town;

  @Property({ type: 'text' })
  nameZh!: string;

  @Property({ type: 'text', default: '' })
  nameEn: string = '';

  @Property({ type: 'boolean', default: false })
  registeredPoor: boolean = false;

  @Property({ type: 'smallint', nullable: true })
  exitYear?: number | null;
}
