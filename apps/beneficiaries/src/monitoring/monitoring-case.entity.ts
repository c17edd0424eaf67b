import { BigIntType, Check, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const CASE_STATUSES = ['open', 'visited', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/**
 * A household flagged by return-to-poverty monitoring (防返贫动态监测): its relief income in the two
 * windows when last assessed, and where the relief office stands with it. At most one case per
 * household is not closed (a partial unique index); a household flagged again after its case was
 * closed gets a new one, so every case stays as history.
 */
@Entity({ tableName: 'monitoring_case' })
@Check({ name: 'monitoring_case_status_known', expression: "status in ('open', 'visited', 'closed')" })
@Check({ name: 'monitoring_case_members_positive', expression: 'members >= 1' })
@Index({ name: 'monitoring_case_household', properties: ['householdId'] })
@Index({ name: 'monitoring_case_status', properties: ['status', 'openedAt'] })
export class MonitoringCase {
  [OptionalProps]?: 'openedAt' | 'updatedAt' | 'closedAt' | 'stillFlagged';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The household (foreign key in the migration, restrict on delete). */
  @Property({ type: 'uuid' })
  householdId!: string;

  @Property({ type: 'text' })
  status!: CaseStatus;

  /** `below_line`, `income_drop`. */
  @Property({ type: 'text[]' })
  reasons!: string[];

  @Property({ type: new BigIntType('number') })
  recentFen!: number;

  @Property({ type: new BigIntType('number') })
  priorFen!: number;

  /** Members when assessed. */
  @Property({ type: 'smallint' })
  members!: number;

  /** Recent relief income per member per year. */
  @Property({ type: new BigIntType('number') })
  perMemberFen!: number;

  @Property({ type: 'integer' })
  dropBps!: number;

  /** The end of the recent window of the last assessment. */
  @Property({ type: 'timestamptz' })
  asOf!: Date;

  @Property({ type: 'boolean', default: true })
  stillFlagged: boolean = true;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  openedAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  closedAt?: Date | null;
}

export const CASE_EVENT_KINDS = ['opened', 'refreshed', 'visited', 'closed'] as const;
export type CaseEventKind = (typeof CASE_EVENT_KINDS)[number];

/**
 * One step of a case: opened or refreshed by an assessment, visited or closed by an officer. A
 * note is encrypted like the register's personal data (a visit note tells of a family), bound to
 * the household. Rows are only inserted.
 */
@Entity({ tableName: 'monitoring_case_event' })
@Check({
  name: 'monitoring_case_event_kind_known',
  expression: "kind in ('opened', 'refreshed', 'visited', 'closed')",
})
@Index({ name: 'monitoring_case_event_case', properties: ['caseId', 'at'] })
export class MonitoringCaseEvent {
  [OptionalProps]?: 'at' | 'noteEnc';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @Property({ type: 'uuid' })
  caseId!: string;

  @Property({ type: 'text' })
  kind!: CaseEventKind;

  /** The officer; empty for an assessment run by a job. */
  @Property({ type: 'text', default: '' })
  userId!: string;

  @Property({ type: 'text', nullable: true })
  noteEnc?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  at: Date = new Date();
}
