import { maskAccount, maskName, maskNationalId } from '../pii/masking.util';
import type { PiiCipher } from '../pii/pii-cipher';
import type { HouseholdStatusName } from './household.entity';
import type { HouseholdRecord } from './household.repository';

/**
 * How much of a household a reader sees:
 * - `full`: the relief office on a stated read: every field in clear;
 * - `masked`: the relief office asking for it, and auditors: name, national ID and payout account
 *   masked (the account's last four digits), status and baseline income in clear;
 * - `linked`: producer staff, for households linked to their producers: name and national ID
 *   masked, status in clear, no baseline income and no payout account (null).
 */
export type HouseholdScope = 'full' | 'masked' | 'linked';

/** A household as one caller may see it: personal fields decrypted, masked or withheld (null) by scope. */
export interface HouseholdView {
  id: string;
  archiveNumber: string;
  headName: string;
  nationalId: string;
  /** Null when the scope withholds it. */
  payoutAccount: string | null;
  masked: boolean;
  members: number;
  villageId: string;
  villageNameZh: string;
  townId: string;
  townNameZh: string;
  status: HouseholdStatusName;
  exitYear: number | null;
  /** Null when the scope withholds it. */
  baselineIncomeFen: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Decrypts a record and masks or withholds what the scope does not show. */
export function householdView(
  record: HouseholdRecord,
  cipher: PiiCipher,
  scope: HouseholdScope,
): HouseholdView {
  const full = scope === 'full';
  const headName = cipher.decrypt('head_name', record.headNameEnc, record.id);
  const nationalId = cipher.decrypt('national_id', record.nationalIdEnc, record.id);
  let payoutAccount: string | null = null;
  if (scope !== 'linked') {
    const account = record.payoutAccountEnc
      ? cipher.decrypt('payout_account', record.payoutAccountEnc, record.id)
      : '';
    payoutAccount = full ? account : maskAccount(account);
  }
  return {
    id: record.id,
    archiveNumber: record.archiveNumber,
    headName: full ? headName : maskName(headName),
    nationalId: full ? nationalId : maskNationalId(nationalId),
    payoutAccount,
    masked: !full,
    members: record.members,
    villageId: record.villageId,
    villageNameZh: record.villageNameZh,
    townId: record.townId,
    townNameZh: record.townNameZh,
    status: record.status,
    exitYear: record.exitYear,
    baselineIncomeFen: scope === 'linked' ? null : record.baselineIncomeFen,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
