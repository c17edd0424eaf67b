import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A town (镇) of the city. */
@Entity({ tableName: 'town' })
export class Town {
  [OptionalProps]?: 'nameEn' | 'position';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  @Unique()
  nameZh!: string;

  @Property({ type: 'text', default: '' })
  nameEn: string = '';

  /** Listing order. */
  @Property({ type: 'integer', default: 0 })
  position: number = 0;
}
