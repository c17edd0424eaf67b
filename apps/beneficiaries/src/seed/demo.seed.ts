import { demoRegister } from '@yugong/shared/demo';
import type { PiiCipher } from '../pii/pii-cipher';
import type { DemoSeedRepository } from './demo-seed.repository';

/**
 * Seeds the demo register (towns, 59 villages, 2,073 households, their agreements) with multi-row
 * inserts in one transaction. Idempotent: rows are keyed by deterministic ids and existing rows are
 * left alone; when the last household and agreement are present nothing is encrypted at all.
 */
export async function seedDemoRegister(
  seeds: DemoSeedRepository,
  cipher: PiiCipher,
): Promise<{ households: number; agreements: number; created: number; ms: number }> {
  const started = Date.now();
  const register = demoRegister();
  const lastHousehold = register.households[register.households.length - 1];
  const lastAgreement = register.agreements[register.agreements.length - 1];
  let created = 0;
  if (!(await seeds.holds(lastHousehold.id, lastAgreement.id))) {
    const now = new Date();
    created = await seeds.insertMissing([
      {
        table: 'town',
        rows: register.towns.map((t) => ({
          id: t.id,
          name_zh: t.nameZh,
          name_en: t.nameEn,
          position: t.position,
        })),
      },
      {
        table: 'village',
        rows: register.villages.map((v) => ({
          id: v.id,
          town_id: v.townId,
          name_zh: v.nameZh,
          name_en: v.nameEn,
          registered_poor: v.registeredPoor,
          exit_year: v.exitYear,
        })),
      },
      {
        table: 'household',
        rows: register.households.map((h) => ({
          id: h.id,
          archive_number: h.archiveNumber,
          village_id: h.villageId,
          head_name_enc: cipher.encrypt('head_name', h.headName, h.id),
          national_id_enc: cipher.encrypt('national_id', h.nationalId, h.id),
          national_id_hash: cipher.hashNationalId(h.nationalId),
          payout_account_enc: cipher.encrypt('payout_account', h.payoutAccount, h.id),
          pii_key_id: cipher.activeKeyId,
          members: h.members,
          status: h.status,
          exit_year: h.exitYear,
          baseline_income_fen: h.baselineIncomeFen,
          created_at: now,
          updated_at: now,
        })),
      },
      {
        table: 'benefit_agreement',
        rows: register.agreements.map((a) => ({
          id: a.id,
          producer_id: a.producerId,
          household_id: a.householdId,
          village_id: a.villageId,
          kind: a.kind,
          weight: a.weight,
          effective_from: a.effectiveFrom,
          effective_to: a.effectiveTo,
          created_at: now,
        })),
      },
    ]);
  }
  return {
    households: register.households.length,
    agreements: register.agreements.length,
    created,
    ms: Date.now() - started,
  };
}
