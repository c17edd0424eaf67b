import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** One move of a licence: who (null: the platform, e.g. expiry), when, from → to, why. Append-only. */
@Entity({ tableName: 'licence_status_change' })
@Index({ name: 'licence_status_change_licence', properties: ['licenceId', 'changedAt'] })
export class LicenceStatusChange {
  [OptionalProps]?: 'fromStatus' | 'changedBy' | 'reason' | 'changedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  licenceId!: string;

  /** Null for the application itself. */
  @Property({ type: 'text', nullable: true })
  fromStatus?: string | null = null;

  @Property({ type: 'text' })
  toStatus!: string;

  @Property({ type: 'uuid', nullable: true })
  changedBy?: string | null = null;

  @Property({ type: 'text', default: '' })
  reason: string = '';

  @Property({ type: 'timestamptz' })
  changedAt: Date = new Date();
}
