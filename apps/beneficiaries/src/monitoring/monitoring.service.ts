import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { canReadAll, isOfficer, requireCaller, type CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest } from '@yugong/shared/grpc';
import { maskName } from '../pii/masking.util';
import { PiiCipher } from '../pii/pii-cipher';
import { LedgerClient } from './ledger.client';
import { assessHousehold, type MonitoringPolicy } from './monitoring-assessment.util';
import type { CaseEventKind, CaseStatus } from './monitoring-case.entity';
import { caseSourcesOf } from './monitoring-case.state';
import { CaseMoveRefused, MonitoringCaseNotFound } from './monitoring.errors';
import {
  MonitoringRepository,
  type CaseEventRecord,
  type CaseRecord,
  type FlaggedHousehold,
} from './monitoring.repository';
import { listCasesSchema, refreshCasesSchema, updateCaseSchema } from './monitoring.schemas';

/** The monitoring policy and the instant its windows end at when a refresh names none. */
export const MONITORING_SETTINGS = Symbol('MONITORING_SETTINGS');
export interface MonitoringSettings extends MonitoringPolicy {
  asOf?: Date;
}

/** A case as a reader sees it: the head's name masked; notes only for the relief office. */
export interface CaseView extends Omit<CaseRecord, 'headNameEnc'> {
  headName: string;
  history: { kind: CaseEventKind; userId: string; note: string; at: Date }[];
}

export interface RefreshResult {
  asOf: Date;
  windowMonths: number;
  povertyLineFen: number;
  dropThresholdBps: number;
  assessed: number;
  flagged: number;
  opened: number;
  refreshed: number;
}

function requireOfficer(caller: CallerIdentity | null): CallerIdentity {
  const known = requireCaller(caller);
  if (!isOfficer(known)) {
    throw new PermissionDenied('only the relief office acts on monitoring cases');
  }
  return known;
}

/**
 * Return-to-poverty monitoring (防返贫): households whose relief income through the platform, per
 * member, is below the poverty line or fell past the threshold become cases the relief office
 * visits and closes.
 */
@Injectable()
export class MonitoringService {
  constructor(
    private readonly em: EntityManager,
    private readonly cases: MonitoringRepository,
    private readonly cipher: PiiCipher,
    private readonly ledger: LedgerClient,
    @Inject(MONITORING_SETTINGS) private readonly settings: MonitoringSettings,
  ) {}

  /**
   * Assesses every household with relief income in either window (households the ledger never
   * credited are not assessed: the platform knows nothing of their income) and opens or refreshes
   * the cases of those flagged, in one transaction.
   */
  async refresh(caller: CallerIdentity | null, input: unknown): Promise<RefreshResult> {
    const officer = requireOfficer(caller);
    const q = parseRequest(refreshCasesSchema, input);
    return this.assess(q.asOf, officer.userId);
  }

  /**
   * The assessment itself, for an officer's refresh or the job (`userId` empty).
   *
   * @param asOf - where the windows end; unset: the configured instant, else now
   */
  async assess(asOf: Date | undefined, userId: string): Promise<RefreshResult> {
    return this.assessAt(asOf ?? this.settings.asOf ?? new Date(), userId);
  }

  private async assessAt(asOf: Date, userId: string): Promise<RefreshResult> {
    const income = await this.ledger.incomeWindows(asOf, this.settings.windowMonths);
    const policy = { ...this.settings, windowMonths: income.windowMonths || this.settings.windowMonths };
    return this.em.transactional(async (em) => {
      const members = await this.cases.membersOf(
        em,
        income.households.map((h) => h.householdId),
      );
      const flagged: FlaggedHousehold[] = [];
      const cleared: string[] = [];
      for (const h of income.households) {
        const count = members.get(h.householdId);
        if (count === undefined) {
          continue; // credited in the ledger but not in the register (removed or never imported)
        }
        const assessment = assessHousehold({ ...h, members: count }, policy);
        if (assessment.reasons.length === 0) {
          cleared.push(h.householdId);
        } else {
          flagged.push({ ...h, members: count, ...assessment });
        }
      }
      const { opened, refreshed } = await this.cases.upsertFlagged(em, flagged, asOf, userId);
      await this.cases.markUnflagged(em, cleared);
      return {
        asOf,
        windowMonths: policy.windowMonths,
        povertyLineFen: policy.povertyLineFen,
        dropThresholdBps: policy.dropThresholdBps,
        assessed: flagged.length + cleared.length,
        flagged: flagged.length,
        opened,
        refreshed,
      };
    });
  }

  /** Cases by town, village and status: the relief office and auditors, names masked. */
  async list(
    caller: CallerIdentity | null,
    input: unknown,
  ): Promise<{ items: CaseView[]; total: number; page: number; pageSize: number }> {
    const reader = requireCaller(caller);
    if (!canReadAll(reader)) {
      throw new PermissionDenied('only the relief office and auditors read monitoring cases');
    }
    const q = parseRequest(listCasesSchema, input);
    const em = this.em.fork();
    const { records, total } = await this.cases.page(em, q, q.page);
    const events = await this.cases.eventsOf(
      em,
      records.map((r) => r.id),
    );
    return {
      items: records.map((r) => this.view(r, events, reader)),
      total,
      page: q.page.page,
      pageSize: q.page.pageSize,
    };
  }

  /** The relief office records a visit (with a note) or closes a case. */
  async update(caller: CallerIdentity | null, input: unknown): Promise<CaseView> {
    const officer = requireOfficer(caller);
    const q = parseRequest(updateCaseSchema, input);
    const em = this.em.fork();
    const found = await this.cases.findCase(em, q.id);
    if (!found) {
      throw new MonitoringCaseNotFound(q.id);
    }
    const moved = await this.cases.moveCase(em, {
      id: q.id,
      from: caseSourcesOf(q.status),
      to: q.status,
      userId: officer.userId,
      noteEnc: q.note ? this.cipher.encrypt('visit_note', q.note, found.householdId) : null,
    });
    const now = (await this.cases.findCase(em, q.id)) ?? found;
    if (!moved) {
      throw new CaseMoveRefused(now.status, q.status as CaseStatus);
    }
    return this.view(now, await this.cases.eventsOf(em, [q.id]), officer);
  }

  private view(record: CaseRecord, events: CaseEventRecord[], reader: CallerIdentity): CaseView {
    const { headNameEnc, ...rest } = record;
    const office = isOfficer(reader);
    return {
      ...rest,
      headName: maskName(this.cipher.decrypt('head_name', headNameEnc, record.householdId)),
      history: events
        .filter((e) => e.caseId === record.id)
        .map((e) => ({
          kind: e.kind,
          userId: e.userId,
          // A visit note tells of a family: the relief office reads it, auditors see that there is one.
          note: e.noteEnc
            ? office
              ? this.cipher.decrypt('visit_note', e.noteEnc, e.householdId)
              : '***'
            : '',
          at: e.at,
        })),
    };
  }
}
