import { ledger } from '@yugong/contracts';
import { ServiceClient, toTimestamp } from '@yugong/shared/grpc';
import { LedgerUnavailable } from './monitoring.errors';

/** The households' relief income in the two windows, as the ledger answers it. */
export interface IncomeWindows {
  asOf: Date;
  windowMonths: number;
  households: { householdId: string; recentFen: number; priorFen: number }[];
}

/** The ledger as beneficiaries calls it: as a service, reads only, for monitoring. */
export class LedgerClient extends ServiceClient<ledger.LedgerServiceClient> {
  /** @throws LedgerUnavailable when the ledger does not answer within the deadline */
  async incomeWindows(asOf: Date, windowMonths: number): Promise<IncomeWindows> {
    try {
      const res = await this.call(
        'getHouseholdIncomeWindows',
        { asOf: toTimestamp(asOf), windowMonths },
        { idempotent: true, deadlineMs: 30_000 },
      );
      return {
        asOf,
        windowMonths: res.windowMonths,
        households: res.households.map((h) => ({
          householdId: h.householdId,
          recentFen: Number(h.recentFen),
          priorFen: Number(h.priorFen),
        })),
      };
    } catch {
      throw new LedgerUnavailable();
    }
  }
}
