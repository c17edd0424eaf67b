import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** How far the catch-up has read orders' outbox: every event up to `afterId` is applied. */
@Entity({ tableName: 'consumer_cursor' })
export class ConsumerCursor {
  @PrimaryKey({ type: 'text' })
  name!: string;

  @Property({ type: new BigIntType('number') })
  afterId!: number;
}
