import { BenefitAgreement } from './agreements/benefit-agreement.entity';
import { VillageCollectiveShare } from './agreements/village-collective-share.entity';
import { Household } from './households/household.entity';
import { PiiAccess } from './households/pii-access.entity';
import { HouseholdPayoutAccount } from './payouts/payout-account.entity';
import { Town } from './regions/town.entity';
import { Village } from './regions/village.entity';
import { MonitoringCase, MonitoringCaseEvent } from './monitoring/monitoring-case.entity';

/** Every entity beneficiaries persists. */
export const BENEFICIARIES_ENTITIES = [
  Town,
  Village,
  Household,
  PiiAccess,
  BenefitAgreement,
  VillageCollectiveShare,
  MonitoringCase,
  MonitoringCaseEvent,
  HouseholdPayoutAccount,
];
