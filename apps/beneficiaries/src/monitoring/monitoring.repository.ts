import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { CaseEventKind, CaseStatus } from './monitoring-case.entity';

type Row = Record<string, unknown>;

/** An assessed, flagged household as a case records it. */
export interface FlaggedHousehold {
  householdId: string;
  reasons: string[];
  recentFen: number;
  priorFen: number;
  members: number;
  perMemberFen: number;
  dropBps: number;
}

/** A case with its household's place in the register (the head's name still encrypted). */
export interface CaseRecord {
  id: string;
  householdId: string;
  archiveNumber: string;
  headNameEnc: string;
  villageId: string;
  villageNameZh: string;
  townId: string;
  townNameZh: string;
  status: CaseStatus;
  reasons: string[];
  recentFen: number;
  priorFen: number;
  members: number;
  perMemberFen: number;
  dropBps: number;
  asOf: Date;
  stillFlagged: boolean;
  openedAt: Date;
  updatedAt: Date;
}

export interface CaseEventRecord {
  caseId: string;
  householdId: string;
  kind: CaseEventKind;
  userId: string;
  noteEnc: string | null;
  at: Date;
}

export interface CaseFilter {
  townId: string;
  villageId: string;
  status: string;
}

const CASE_COLUMNS = `c.id, c.household_id, h.archive_number, h.head_name_enc, v.id as village_id,
  v.name_zh as village_name_zh, t.id as town_id, t.name_zh as town_name_zh, c.status, c.reasons,
  c.recent_fen, c.prior_fen, c.members, c.per_member_fen, c.drop_bps, c.as_of, c.still_flagged,
  c.opened_at, c.updated_at`;

const CASE_FROM = `monitoring_case c
  join household h on h.id = c.household_id
  join village v on v.id = h.village_id
  join town t on t.id = v.town_id`;

const CASE_WHERE = `(?::uuid is null or t.id = ?::uuid)
  and (?::uuid is null or v.id = ?::uuid)
  and (?::text is null or c.status = ?::text)`;

function filterParams(f: CaseFilter): unknown[] {
  const town = f.townId || null;
  const village = f.villageId || null;
  const status = f.status || null;
  return [town, town, village, village, status, status];
}

function toCase(r: Row): CaseRecord {
  return {
    id: String(r.id),
    householdId: String(r.household_id),
    archiveNumber: String(r.archive_number),
    headNameEnc: String(r.head_name_enc),
    villageId: String(r.village_id),
    villageNameZh: String(r.village_name_zh),
    townId: String(r.town_id),
    townNameZh: String(r.town_name_zh),
    status: r.status as CaseStatus,
    reasons: r.reasons as string[],
    recentFen: Number(r.recent_fen),
    priorFen: Number(r.prior_fen),
    members: Number(r.members),
    perMemberFen: Number(r.per_member_fen),
    dropBps: Number(r.drop_bps),
    asOf: new Date(r.as_of as string),
    stillFlagged: Boolean(r.still_flagged),
    openedAt: new Date(r.opened_at as string),
    updatedAt: new Date(r.updated_at as string),
  };
}

/** Every query of monitoring cases; each runs on the EntityManager (or transaction) it is given. */
@Injectable()
export class MonitoringRepository {
  /** Members of each of these households that the register holds. */
  async membersOf(em: EntityManager, householdIds: string[]): Promise<Map<string, number>> {
    if (householdIds.length === 0) {
      return new Map();
    }
    const rows = await em.execute<Row[]>(`select id, members from household where id = any(?::uuid[])`, [
      `{${householdIds.join(',')}}`,
    ]);
    return new Map(rows.map((r) => [String(r.id), Number(r.members)]));
  }

  /**
   * Opens a case for each flagged household without an active one and refreshes the figures of
   * those with one when they changed (the partial unique index decides which, under concurrency
   * too), recording an `opened` or `refreshed` event for each. Returns how many were opened and
   * refreshed.
   */
  async upsertFlagged(
    em: EntityManager,
    flagged: FlaggedHousehold[],
    asOf: Date,
    userId: string,
  ): Promise<{ opened: number; refreshed: number }> {
    if (flagged.length === 0) {
      return { opened: 0, refreshed: 0 };
    }
    const rows = await em.execute<Row[]>(
      `with upserted as (
         insert into monitoring_case (id, household_id, status, reasons, recent_fen, prior_fen, members,
                                      per_member_fen, drop_bps, as_of)
         select gen_random_uuid(), x.household_id, 'open', x.reasons, x.recent_fen, x.prior_fen, x.members,
                x.per_member_fen, x.drop_bps, ?::timestamptz
           from jsonb_to_recordset(?::jsonb) as x(household_id uuid, reasons text[], recent_fen bigint,
                prior_fen bigint, members int, per_member_fen bigint, drop_bps int)
         on conflict (household_id) where status <> 'closed' do update
            set reasons = excluded.reasons, recent_fen = excluded.recent_fen, prior_fen = excluded.prior_fen,
                members = excluded.members, per_member_fen = excluded.per_member_fen,
                drop_bps = excluded.drop_bps, as_of = excluded.as_of, still_flagged = true, updated_at = now()
          -- Figures that did not change leave the case (and its history) alone.
          where (monitoring_case.reasons, monitoring_case.recent_fen, monitoring_case.prior_fen,
                 monitoring_case.members, monitoring_case.as_of, monitoring_case.still_flagged)
                is distinct from (excluded.reasons, excluded.recent_fen, excluded.prior_fen,
                 excluded.members, excluded.as_of, true)
         returning id, (xmax = 0) as inserted
       ), events as (
         insert into monitoring_case_event (case_id, kind, user_id)
         select id, case when inserted then 'opened' else 'refreshed' end, ? from upserted
       )
       select count(*) filter (where inserted) as opened, count(*) filter (where not inserted) as refreshed
         from upserted`,
      [
        asOf,
        JSON.stringify(
          flagged.map((f) => ({
            household_id: f.householdId,
            reasons: f.reasons,
            recent_fen: f.recentFen,
            prior_fen: f.priorFen,
            members: f.members,
            per_member_fen: f.perMemberFen,
            drop_bps: f.dropBps,
          })),
        ),
        userId,
      ],
    );
    return { opened: Number(rows[0]?.opened ?? 0), refreshed: Number(rows[0]?.refreshed ?? 0) };
  }

  /** Active cases of households assessed this time and no longer flagged: kept, marked so. */
  async markUnflagged(em: EntityManager, assessedNotFlagged: string[]): Promise<number> {
    if (assessedNotFlagged.length === 0) {
      return 0;
    }
    const rows = await em.execute<Row[]>(
      `update monitoring_case set still_flagged = false, updated_at = now()
        where status <> 'closed' and still_flagged and household_id = any(?::uuid[])
        returning id`,
      [`{${assessedNotFlagged.join(',')}}`],
    );
    return rows.length;
  }

  async page(
    em: EntityManager,
    filter: CaseFilter,
    page: { offset: number; limit: number },
  ): Promise<{ records: CaseRecord[]; total: number }> {
    const [rows, count] = await Promise.all([
      em.execute<Row[]>(
        `select ${CASE_COLUMNS} from ${CASE_FROM} where ${CASE_WHERE}
          order by t.name_zh, v.name_zh, h.archive_number, c.opened_at
          offset ? limit ?`,
        [...filterParams(filter), page.offset, page.limit],
      ),
      em.execute<Row[]>(`select count(*) as n from ${CASE_FROM} where ${CASE_WHERE}`, filterParams(filter)),
    ]);
    return { records: rows.map(toCase), total: Number(count[0]?.n ?? 0) };
  }

  async findCase(em: EntityManager, id: string): Promise<CaseRecord | undefined> {
    const rows = await em.execute<Row[]>(`select ${CASE_COLUMNS} from ${CASE_FROM} where c.id = ?`, [id]);
    return rows[0] ? toCase(rows[0]) : undefined;
  }

  async eventsOf(em: EntityManager, caseIds: string[]): Promise<CaseEventRecord[]> {
    if (caseIds.length === 0) {
      return [];
    }
    const rows = await em.execute<Row[]>(
      `select e.case_id, c.household_id, e.kind, e.user_id, e.note_enc, e.at
         from monitoring_case_event e join monitoring_case c on c.id = e.case_id
        where e.case_id = any(?::uuid[]) order by e.id`,
      [`{${caseIds.join(',')}}`],
    );
    return rows.map((r) => ({
      caseId: String(r.case_id),
      householdId: String(r.household_id),
      kind: r.kind as CaseEventKind,
      userId: String(r.user_id),
      noteEnc: (r.note_enc as string | null) ?? null,
      at: new Date(r.at as string),
    }));
  }

  /**
   * Moves a case to `to` if it is in one of `from` (a conditional update: of two officers closing
   * at once, one wins), recording the step with its note. False when the case was not in `from`.
   */
  async moveCase(
    em: EntityManager,
    move: { id: string; from: readonly CaseStatus[]; to: CaseStatus; userId: string; noteEnc: string | null },
  ): Promise<boolean> {
    const rows = await em.execute<Row[]>(
      `with moved as (
         update monitoring_case
            set status = ?, updated_at = now(), closed_at = case when ? = 'closed' then now() end
          where id = ? and status = any(?::text[])
          returning id
       ), events as (
         insert into monitoring_case_event (case_id, kind, user_id, note_enc)
         select id, ?, ?, ? from moved
       )
       select count(*) as n from moved`,
      [move.to, move.to, move.id, `{${move.from.join(',')}}`, move.to, move.userId, move.noteEnc],
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }
}
