import { beneficiaries } from '@yugong/contracts';
import { ServiceClient, toTimestamp } from '@yugong/shared/grpc';

/** Beneficiaries as the ledger calls it: as a service, no user, reads only. */
export class BeneficiariesClient extends ServiceClient<beneficiaries.BeneficiariesServiceClient> {
  /** Who shares in the producer's sale at the instant: households by weight, village collectives by basis points. */
  async benefitShares(
    producerId: string,
    asOf: Date,
  ): Promise<Pick<beneficiaries.GetBenefitSharesResponse, 'shares' | 'villageShares'>> {
    const res = await this.call(
      'getBenefitShares',
      { producerId, asOf: toTimestamp(asOf) },
      { idempotent: true },
    );
    return { shares: res.shares, villageShares: res.villageShares };
  }

  /** The village of each household (empty when the register does not know it). */
  async villagesOf(producerId: string, householdIds: string[], asOf: Date): Promise<Map<string, string>> {
    if (householdIds.length === 0) {
      return new Map();
    }
    const res = await this.call(
      'validateSuppliers',
      { producerId, householdIds: [...new Set(householdIds)], asOf: toTimestamp(asOf) },
      { idempotent: true },
    );
    return new Map(res.results.filter((r) => r.villageId).map((r) => [r.householdId, r.villageId]));
  }

  /** Households by filter or by id (unknown ids left out): ids, villages, towns, members, status. */
  async distributionRecipients(filter: {
    townId?: string;
    villageId?: string;
    status?: beneficiaries.HouseholdStatus;
    householdIds?: string[];
  }): Promise<beneficiaries.DistributionRecipient[]> {
    const res = await this.call(
      'listDistributionRecipients',
      {
        townId: filter.townId ?? '',
        villageId: filter.villageId ?? '',
        status: filter.status ?? beneficiaries.HouseholdStatus.HOUSEHOLD_STATUS_UNSPECIFIED,
        householdIds: filter.householdIds ?? [],
      },
      { idempotent: true },
    );
    return res.households;
  }

  /** Every village with its town. */
  async villageTowns(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let page = 1; page <= 100; page++) {
      const res = await this.call(
        'listVillages',
        { townId: '', registeredPoorOnly: false, page: { page, pageSize: 100 } },
        { idempotent: true },
      );
      for (const v of res.villages) {
        out.set(v.id, v.townId);
      }
      if (res.villages.length < 100) {
        break;
      }
    }
    return out;
  }

  /** Those of the households that have a payout account (ids only). */
  async payoutReady(householdIds: string[]): Promise<string[]> {
    if (householdIds.length === 0) {
      return [];
    }
    const res = await this.call('listPayoutReadiness', { householdIds }, { idempotent: true });
    return res.readyHouseholdIds;
  }
}
