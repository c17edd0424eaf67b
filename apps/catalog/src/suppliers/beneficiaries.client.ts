import { status } from '@grpc/grpc-js';
import { beneficiaries } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';
import { BeneficiariesUnavailable } from './supplier.errors';

/** The verdict of the register on one household named as a supplier. */
export interface SupplierVerdict {
  householdId: string;
  ok: boolean;
  /** Empty when ok: "household not found" or "no supply agreement with the producer at as_of". */
  reason: string;
}

/** The beneficiaries register as catalog calls it: typed, with a deadline and bounded retries. */
export class BeneficiariesClient extends ServiceClient<beneficiaries.BeneficiariesServiceClient> {
  /**
   * Asks the register whether each household exists and holds a `supply` agreement with the
   * producer valid at `asOf`. Called as an internal service (no end user): catalog has already
   * checked that the caller may act for the producer.
   *
   * @throws BeneficiariesUnavailable when the register cannot be reached within the deadline
   */
  async validateSuppliers(
    producerId: string,
    householdIds: string[],
    asOf: Date,
    requestId?: string,
  ): Promise<SupplierVerdict[]> {
    const ms = asOf.getTime();
    try {
      const res = await this.call(
        'validateSuppliers',
        {
          producerId,
          householdIds,
          asOf: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 },
        },
        { idempotent: true, requestId },
      );
      return res.results.map(({ householdId, ok, reason }) => ({ householdId, ok, reason }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) {
        throw new BeneficiariesUnavailable();
      }
      throw error;
    }
  }
}
