import { beneficiaries } from '@yugong/contracts';
import { fromTimestamp, toTimestamp } from '@yugong/shared/grpc';
import type { AgreementRecord, CollectiveShareRecord, ShareRecord } from './agreements/agreement.repository';
import { AGREEMENT_KINDS, type AgreementKindName } from './agreements/benefit-agreement.entity';
import { HOUSEHOLD_STATUSES, type HouseholdStatusName } from './households/household.entity';
import type { PiiAccessRecord } from './households/household.repository';
import type { HouseholdView } from './households/household.view';
import type { TownView, VillageView } from './regions/region.repository';

/** Maps between wire enums (HOUSEHOLD_STATUS_EXITED) and domain names (exited). */
function enumMapping<Wire extends string, Domain extends string>(prefix: string, names: readonly Domain[]) {
  const toWire = (name: Domain) => `${prefix}${name.toUpperCase()}` as Wire;
  // An import looks up two of these a row: one map, not a wire name built per name and call.
  const byWire = new Map<string, Domain>(names.map((name) => [toWire(name), name]));
  const fromWire = (value: Wire | string | undefined): Domain | undefined =>
    value === undefined ? undefined : byWire.get(value);
  return { toWire, fromWire };
}

export const householdStatus = enumMapping<beneficiaries.HouseholdStatus, HouseholdStatusName>(
  'HOUSEHOLD_STATUS_',
  HOUSEHOLD_STATUSES,
);
export const agreementKind = enumMapping<beneficiaries.AgreementKind, AgreementKindName>(
  'AGREEMENT_KIND_',
  AGREEMENT_KINDS,
);

/** Wire value of an enum field that was not given at all: passes validation as "missing". */
export function wireName(value: string | undefined, unspecified: string): string | undefined {
  return value === undefined || value === unspecified ? undefined : value;
}

export { fromTimestamp, toTimestamp };

export function toTownMessage(t: TownView): beneficiaries.Town {
  return { id: t.id, nameZh: t.nameZh, nameEn: t.nameEn, villageCount: t.villageCount };
}

export function toVillageMessage(v: VillageView): beneficiaries.Village {
  return {
    id: v.id,
    townId: v.townId,
    townNameZh: v.townNameZh,
    nameZh: v.nameZh,
    nameEn: v.nameEn,
    registeredPoor: v.registeredPoor,
    exitYear: v.exitYear ?? 0,
  };
}

export function toHouseholdMessage(h: HouseholdView): beneficiaries.Household {
  return {
    id: h.id,
    archiveNumber: h.archiveNumber,
    headName: h.headName,
    nationalId: h.nationalId,
    payoutAccount: h.payoutAccount ?? '',
    masked: h.masked,
    members: h.members,
    villageId: h.villageId,
    villageNameZh: h.villageNameZh,
    townId: h.townId,
    townNameZh: h.townNameZh,
    status: householdStatus.toWire(h.status),
    exitYear: h.exitYear ?? 0,
    // Absent when the caller's role does not see it.
    baselineIncome: h.baselineIncomeFen === null ? undefined : { fen: h.baselineIncomeFen, currency: 'CNY' },
    createdAt: toTimestamp(h.createdAt),
    updatedAt: toTimestamp(h.updatedAt),
  };
}

export function toAgreementMessage(a: AgreementRecord): beneficiaries.BenefitAgreement {
  return {
    id: a.id,
    producerId: a.producerId,
    householdId: a.householdId,
    villageId: a.villageId,
    kind: agreementKind.toWire(a.kind),
    weight: a.weight,
    effectiveFrom: a.effectiveFrom,
    effectiveTo: a.effectiveTo ?? '',
    createdAt: toTimestamp(a.createdAt),
  };
}

export function toCollectiveShareMessage(s: CollectiveShareRecord): beneficiaries.VillageCollectiveShare {
  return {
    id: s.id,
    producerId: s.producerId,
    villageId: s.villageId,
    shareBps: s.shareBps,
    effectiveFrom: s.effectiveFrom,
    effectiveTo: s.effectiveTo ?? '',
  };
}

// Kept answers (BenefitSharesCache) come back as the same array: mapped once, and the encoder
// then writes their bytes once too (benefit-shares.codec.ts).
const shareMessages = new WeakMap<readonly ShareRecord[], beneficiaries.BenefitShare[]>();

/** The messages of `shares`, the same array for the same records. */
export function toShareMessages(shares: readonly ShareRecord[]): beneficiaries.BenefitShare[] {
  let messages = shareMessages.get(shares);
  if (!messages) {
    messages = shares.map(toShareMessage);
    shareMessages.set(shares, messages);
  }
  return messages;
}

const shareColumns = new WeakMap<readonly ShareRecord[], beneficiaries.BenefitShareColumns>();

/** The 16 bytes of each UUID, one after another. */
function uuidBytes(ids: readonly string[]): Buffer {
  const bytes = Buffer.alloc(ids.length * 16);
  ids.forEach((id, i) => {
    if (bytes.write(id.replace(/-/g, ''), i * 16, 16, 'hex') !== 16) {
      throw new Error('not a UUID');
    }
  });
  return bytes;
}

/** `shares` as the columns of a compact answer, the same object for the same records. */
export function toShareColumns(shares: readonly ShareRecord[]): beneficiaries.BenefitShareColumns {
  let columns = shareColumns.get(shares);
  if (!columns) {
    const villageIds: string[] = [];
    const villageAt = new Map<string, number>();
    const villageIndex = shares.map((s) => {
      const village = s.villageId ?? '';
      let at = villageAt.get(village);
      if (at === undefined) {
        at = villageIds.push(village) - 1;
        villageAt.set(village, at);
      }
      return at;
    });
    columns = {
      householdIds: uuidBytes(shares.map((s) => s.householdId)),
      agreementIds: uuidBytes(shares.map((s) => s.agreementId)),
      villageIds,
      villageIndex,
      kinds: shares.map((s) => agreementKind.toWire(s.kind)),
      weights: shares.map((s) => s.weight),
    };
    shareColumns.set(shares, columns);
  }
  return columns;
}

export function toShareMessage(s: ShareRecord): beneficiaries.BenefitShare {
  return {
    householdId: s.householdId,
    villageId: s.villageId,
    agreementId: s.agreementId,
    kind: agreementKind.toWire(s.kind),
    weight: s.weight,
  };
}

export function toPiiAccessMessage(a: PiiAccessRecord): beneficiaries.PiiAccess {
  return {
    id: a.id,
    userId: a.userId,
    role: a.role,
    householdId: a.householdId,
    purpose: a.purpose,
    action: a.action,
    accessedAt: toTimestamp(a.accessedAt),
  };
}
