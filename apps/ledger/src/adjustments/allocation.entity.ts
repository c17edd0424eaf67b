import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An officer's allocation of a producer's unallocated household share, by the client's key: a
 * repeat of the key with the same request answers the transaction it posted, another request
 * under it is refused. The postings themselves are in the journal.
 */
@Entity({ tableName: 'allocation' })
@Index({ name: 'allocation_producer', properties: ['producerId'] })
export class Allocation {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'uuid' })
  producerId!: string;

  /** SHA-256 of the request (producer, households and weights, amount). */
  @Property({ type: 'text' })
  requestHash!: string;

  @Property({ type: 'uuid' })
  transactionId!: string;

  @Property({ type: 'uuid' })
  allocatedBy!: string;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;
}
