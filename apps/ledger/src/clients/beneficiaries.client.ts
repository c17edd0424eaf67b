import { beneficiaries } from '@yugong/contracts';
import { ServiceClient, toTimestamp } from '@yugong/shared/grpc';

/** The UUID whose 16 bytes start at `at`. */
function uuidAt(bytes: Uint8Array, at: number): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset + at, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The shares of a compact GetBenefitShares answer, as its `shares` would have listed them. */
export function sharesOfColumns(columns: beneficiaries.BenefitShareColumns): beneficiaries.BenefitShare[] {
  const { householdIds, agreementIds, villageIds, villageIndex, kinds, weights } = columns;
  const n = weights.length;
  if (householdIds.length !== n * 16 || agreementIds.length !== n * 16 || kinds.length !== n) {
    throw new Error('GetBenefitShares: columns of different lengths');
  }
  return weights.map((weight, i) => ({
    householdId: uuidAt(householdIds, i * 16),
    villageId: villageIds[villageIndex[i] ?? -1] ?? '',
    agreementId: uuidAt(agreementIds, i * 16),
    kind: kinds[i]!,
    weight,
  }));
}

/** Beneficiaries as the ledger calls it: as a service, no user, reads only. */
export class BeneficiariesClient extends ServiceClient<beneficiaries.BeneficiariesServiceClient> {
  /** Who shares in the producer's sale at the instant: households by weight, village collectives by basis points. */
  async benefitShares(
    producerId: string,
    asOf: Date,
  ): Promise<Pick<beneficiaries.GetBenefitSharesResponse, 'shares' | 'villageShares'>> {
    // Compact: 1,000 shares arrive as a few columns, not 1,000 messages to decode.
    const res = await this.call(
      'getBenefitShares',
      { producerId, asOf: toTimestamp(asOf), compact: true },
      { idempotent: true },
    );
    return {
      shares: res.columns ? sharesOfColumns(res.columns) : res.shares,
      villageShares: res.villageShares,
    };
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
