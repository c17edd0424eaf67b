import { maskAccount, maskName, maskNationalId } from '../pii/masking.util';
import type { PiiCipher } from '../pii/pii-cipher';
import type { HouseholdStatusName } from './household.entity';
import type { HouseholdRecord } from './household.repository';

/** A household as one caller may see it: personal fields decrypted, and masked unless `masked` is false. */
export interface HouseholdView {
  id: string;
  archiveNumber: string;
  headName: string;
  nationalId: string;
  payoutAccount: string;
  masked: boolean;
  members: number;
  villageId: string;
  villageNameZh: string;
  townId: string;
  townNameZh: string;
  status: HouseholdStatusName;
  exitYear: number | null;
  baselineIncomeFen: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Decrypts a record and masks it unless `full` is asked for. */
export function householdView(record: HouseholdRecord, cipher: PiiCipher, full: boolean): HouseholdView {
  const headName = cipher.decrypt('head_name', record.headNameEnc);
  const nationalId = cipher.decrypt('national_id', record.nationalIdEnc);
  const payoutAccount = record.payoutAccountEnc
    ? cipher.decrypt('payout_account', record.payoutAccountEnc)
    : '';
  return {
    id: record.id,
    archiveNumber: record.archiveNumber,
    headName: full ? headName : maskName(headName),
    nationalId: full ? nationalId : maskNationalId(nationalId),
    payoutAccount: full ? payoutAccount : maskAccount(payoutAccount),
    masked: !full,
    members: record.members,
    villageId: record.villageId,
    villageNameZh: record.villageNameZh,
    townId: record.townId,
    townNameZh: record.townNameZh,
    status: record.status,
    exitYear: record.exitYear,
    baselineIncomeFen: record.baselineIncomeFen,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
