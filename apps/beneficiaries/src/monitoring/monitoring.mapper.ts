import type { beneficiaries } from '@yugong/contracts';
import { toTimestamp } from '@yugong/shared/grpc';
import type { CaseView, RefreshResult } from './monitoring.service';

export function toCaseMessage(c: CaseView): beneficiaries.MonitoringCase {
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
    recentFen: c.recentFen,
    priorFen: c.priorFen,
    perMemberFen: c.perMemberFen,
    dropBps: c.dropBps,
    asOf: toTimestamp(c.asOf),
    stillFlagged: c.stillFlagged,
    openedAt: toTimestamp(c.openedAt),
    updatedAt: toTimestamp(c.updatedAt),
    history: c.history.map((e) => ({ kind: e.kind, userId: e.userId, note: e.note, at: toTimestamp(e.at) })),
  };
}

export function toRefreshMessage(r: RefreshResult): beneficiaries.RefreshMonitoringCasesResponse {
  return { ...r, asOf: toTimestamp(r.asOf) };
}
