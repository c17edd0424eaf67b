import { beneficiaries, type paging } from '@yugong/contracts';
import type { CallerIdentity } from '@yugong/shared/auth';
import { moneyJson } from '../common/money.view';
import { enumName, isoOf } from '../catalog/catalog.views';

/** A page of a list as the REST API answers it. */
export interface PageJson<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export function pageJson<M, T>(
  items: M[],
  page: paging.PageInfo | undefined,
  map: (item: M) => T,
): PageJson<T> {
  return {
    items: items.map(map),
    total: page?.total ?? items.length,
    page: page?.page ?? 1,
    pageSize: page?.pageSize ?? items.length,
  };
}

export function townJson(t: beneficiaries.Town) {
  return { id: t.id, nameZh: t.nameZh, nameEn: t.nameEn, villageCount: t.villageCount };
}

export function villageJson(v: beneficiaries.Village) {
  return {
    id: v.id,
    townId: v.townId,
    townNameZh: v.townNameZh,
    nameZh: v.nameZh,
    nameEn: v.nameEn,
    registeredPoor: v.registeredPoor,
    exitYear: v.exitYear || null,
  };
}

/**
 * A household: `masked` says whether the head's name, national ID and payout account are masked
 * (王*波, 4108**********1234, ****1234) or, for the relief office on a stated read, in full.
 * What a role sees besides (beneficiaries decides it; the view holds the same line):
 * - relief office, auditors: status, baseline income, payout account (auditors its last four digits);
 * - producer staff (linked households only): status; `baselineIncome` and `payoutAccount` are null.
 */
export function householdJson(h: beneficiaries.Household, caller: CallerIdentity | null) {
  const staff = caller?.role === 'producer_staff';
  const income = staff ? undefined : h.baselineIncome;
  const currency = income?.currency || 'CNY';
  return {
    id: h.id,
    archiveNumber: h.archiveNumber,
    headName: h.headName,
    nationalId: h.nationalId,
    payoutAccount: staff ? null : h.payoutAccount,
    masked: h.masked,
    members: h.members,
    villageId: h.villageId,
    villageNameZh: h.villageNameZh,
    townId: h.townId,
    townNameZh: h.townNameZh,
    status: enumName(h.status, 'HOUSEHOLD_STATUS_'),
    exitYear: h.exitYear || null,
    baselineIncome: income ? moneyJson(income.fen, currency) : null,
    createdAt: isoOf(h.createdAt),
    updatedAt: isoOf(h.updatedAt),
  };
}

export function agreementJson(a: beneficiaries.BenefitAgreement) {
  return {
    id: a.id,
    producerId: a.producerId,
    householdId: a.householdId,
    villageId: a.villageId,
    kind: enumName(a.kind, 'AGREEMENT_KIND_'),
    weight: a.weight,
    effectiveFrom: a.effectiveFrom,
    effectiveTo: a.effectiveTo || null,
    createdAt: isoOf(a.createdAt),
  };
}

export function shareJson(s: beneficiaries.BenefitShare) {
  return {
    householdId: s.householdId,
    villageId: s.villageId,
    agreementId: s.agreementId,
    kind: enumName(s.kind, 'AGREEMENT_KIND_'),
    weight: s.weight,
  };
}

export function piiAccessJson(e: beneficiaries.PiiAccess) {
  return {
    id: e.id,
    userId: e.userId,
    role: e.role,
    householdId: e.householdId,
    purpose: e.purpose,
    action: e.action,
    accessedAt: isoOf(e.accessedAt),
  };
}

export function summaryJson(s: beneficiaries.GetRegisterSummaryResponse) {
  return {
    households: s.households,
    people: s.people,
    villages: s.villages,
    registeredPoorVillages: s.registeredPoorVillages,
    peopleLinked: s.peopleLinked,
    towns: s.towns.map((t) => ({
      townId: t.townId,
      nameZh: t.nameZh,
      villages: t.villages,
      registeredPoorVillages: t.registeredPoorVillages,
      households: t.households,
      people: t.people,
    })),
  };
}
