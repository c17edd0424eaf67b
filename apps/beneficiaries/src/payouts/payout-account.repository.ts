import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { HouseholdPayoutAccount } from './payout-account.entity';

type Row = Record<string, unknown>;

/** Every query of payout accounts. */
@Injectable()
export class PayoutAccountRepository {
  async householdExists(em: EntityManager, householdId: string): Promise<boolean> {
    const rows = await em.execute<Row[]>(`select 1 from household where id = ?`, [householdId]);
    return rows.length === 1;
  }

  /**
   * Sets the account, and the register's own `payout_account` envelope of the household (the
   * account number, masked in every register view), in one transaction.
   */
  async upsert(
    em: EntityManager,
    row: { householdId: string; detailsEnc: string; piiKeyId: string; updatedBy: string },
    registerEnvelope: string,
  ): Promise<void> {
    await em.transactional(async (tx) => {
      await tx.execute(
        `insert into household_payout_account (household_id, details_enc, pii_key_id, updated_by, updated_at)
         values (?, ?, ?, ?, now())
         on conflict (household_id) do update
           set details_enc = excluded.details_enc, pii_key_id = excluded.pii_key_id,
               updated_by = excluded.updated_by, updated_at = now()`,
        [row.householdId, row.detailsEnc, row.piiKeyId, row.updatedBy],
      );
      await tx.execute(`update household set payout_account_enc = ?, updated_at = now() where id = ?`, [
        registerEnvelope,
        row.householdId,
      ]);
    });
  }

  async find(em: EntityManager, householdId: string): Promise<HouseholdPayoutAccount | null> {
    return em.findOne(HouseholdPayoutAccount, { householdId }, { disableIdentityMap: true });
  }

  async findMany(em: EntityManager, householdIds: string[]): Promise<HouseholdPayoutAccount[]> {
    if (householdIds.length === 0) {
      return [];
    }
    return em.find(
      HouseholdPayoutAccount,
      { householdId: { $in: householdIds } },
      { disableIdentityMap: true },
    );
  }

  /** Those of the households that have an account, in id order. */
  async ready(em: EntityManager, householdIds: string[]): Promise<string[]> {
    if (householdIds.length === 0) {
      return [];
    }
    const rows = await em.execute<Row[]>(
      `select household_id from household_payout_account where household_id = any(?::uuid[]) order by household_id`,
      [`{${householdIds.join(',')}}`],
    );
    return rows.map((r) => String(r.household_id));
  }
}
