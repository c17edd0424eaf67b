import {
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  type Rel,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { PRODUCER_STATUSES, Producer, type ProducerStatusName } from './producer.entity';

/**
 * One move of a producer's status: who, when, from → to, and why. Rows are only ever added, so the
 * table is the producer's review history; the application itself is the first row (from null).
 */
@Entity({ tableName: 'producer_status_change' })
@Index({ properties: ['producer', 'createdAt'] })
export class ProducerStatusChange {
  [OptionalProps]?: 'createdAt' | 'changedBy' | 'fromStatus';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Producer, { deleteRule: 'cascade' })
  producer!: Rel<Producer>;

  @Enum({ items: () => [...PRODUCER_STATUSES], nativeEnumName: 'producer_status', nullable: true })
  fromStatus?: ProducerStatusName | null = null;

  @Enum({ items: () => [...PRODUCER_STATUSES], nativeEnumName: 'producer_status' })
  toStatus!: ProducerStatusName;

  @Property({ type: 'text', default: '' })
  reason: string = '';

  /** The user who made the move; null when the platform did (demo data, the migration). */
  @Property({ type: 'uuid', nullable: true })
  changedBy?: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
