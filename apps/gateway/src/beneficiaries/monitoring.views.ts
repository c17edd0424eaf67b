import type { beneficiaries } from '@yugong/contracts';
import { stringify } from 'csv-stringify/sync';
import { isoOf } from '../catalog/catalog.views';
import { moneyJson as money } from '../common/money.view';

/** A monitoring case: the head's name masked; a visit note in full for the relief office only. */
export function caseJson(c: beneficiaries.MonitoringCase) {
  return {
    id: c.id,
    householdId: c.householdId,
    archiveNumber: c.archiveNumber,
    headName: c.headName,
    members: c.members,
    villageId: c.villageId,
    villageNameZh: c.villageNameZh,
    townId: c.townId,
    townNameZh: c.townNameZh,
    status: c.status,
    reasons: c.reasons,
    recentIncome: money(Number(c.recentFen)),
    priorIncome: money(Number(c.priorFen)),
    perMemberPerYear: money(Number(c.perMemberFen)),
    dropBps: c.dropBps,
    asOf: isoOf(c.asOf),
    stillFlagged: c.stillFlagged,
    openedAt: isoOf(c.openedAt),
    updatedAt: isoOf(c.updatedAt),
    history: c.history.map((e) => ({
      kind: e.kind,
      userId: e.userId || null,
      note: e.note || null,
      at: isoOf(e.at),
    })),
  };
}

export function refreshJson(r: beneficiaries.RefreshMonitoringCasesResponse) {
  return {
    asOf: isoOf(r.asOf),
    windowMonths: r.windowMonths,
    povertyLine: money(Number(r.povertyLineFen)),
    dropThresholdBps: r.dropThresholdBps,
    assessed: r.assessed,
    flagged: r.flagged,
    opened: r.opened,
    refreshed: r.refreshed,
  };
}

/** Cases as CSV, by town and village (no notes: they stay in the case's history). */
export function casesCsv(cases: beneficiaries.MonitoringCase[]): string {
  return stringify(
    cases.map((c) => [
      c.townNameZh,
      c.villageNameZh,
      c.archiveNumber,
      c.headName,
      c.members,
      c.status,
      c.reasons.join(' '),
      Number(c.recentFen),
      Number(c.priorFen),
      Number(c.perMemberFen),
      c.dropBps,
      c.stillFlagged ? 'yes' : 'no',
      isoOf(c.asOf) ?? '',
      isoOf(c.openedAt) ?? '',
      c.id,
      c.householdId,
    ]),
    {
      header: true,
      columns: [
        'town',
        'village',
        'archive_number',
        'head_name',
        'members',
        'status',
        'reasons',
        'recent_fen',
        'prior_fen',
        'per_member_per_year_fen',
        'drop_bps',
        'still_flagged',
        'as_of',
        'opened_at',
        'case_id',
        'household_id',
      ],
    },
  );
}
