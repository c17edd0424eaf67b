import { EntityManager, type Knex } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** A village of the register with its town's name, for resolving the rows of a file. */
export interface VillageName {
  id: string;
  village: string;
  town: string;
}

/** A household of the register as the import matches it. */
export interface RegisteredHousehold {
  id: string;
  archive_number: string;
  national_id_hash: string;
}

/** An agreement held by a household of the register, keyed as the import compares them. */
export interface ExistingAgreement {
  producerId: string;
  archive: string;
  kind: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** The households of one batch, column by column: each column is one array parameter of the upsert. */
export interface HouseholdColumns {
  id: string[];
  archiveNumber: string[];
  villageId: string[];
  headNameEnc: string[];
  nationalIdEnc: string[];
  nationalIdHash: string[];
  payoutAccountEnc: (string | null)[];
  members: number[];
  status: string[];
  exitYear: (number | null)[];
  baselineIncomeFen: number[];
}

/** The agreements of one batch, column by column, as the insert reads them. */
export interface AgreementColumns {
  id: string[];
  producerId: string[];
  householdId: string[];
  villageId: string[];
  kind: string[];
  weight: number[];
  effectiveFrom: string[];
  effectiveTo: (string | null)[];
}

/** The transaction one import writes in, from its first batch to its end. */
export type ImportTransaction = Knex.Transaction;

/**
 * Every statement of a register import. Lookups read the register as committed (on the pool,
 * outside the import's transaction); writes take the import's transaction. Lists travel as one
 * array parameter each (`= any(?)`, `unnest(?)`), never one parameter per value: the statements
 * stay small to send and plan whatever the batch size.
 */
@Injectable()
export class RegisterImportRepository {
  constructor(private readonly em: EntityManager) {}

  private get knex(): Knex {
    return this.em.getKnex();
  }

  /** Every village with its town's name. */
  async villages(): Promise<VillageName[]> {
    return (await this.knex('village as v')
      .join('town as t', 't.id', 'v.town_id')
      .select(['v.id', 'v.name_zh as village', 't.name_zh as town'])) as VillageName[];
  }

  /** The households holding one of the archive numbers or one of the national-ID hashes. */
  async householdsByArchiveOrHash(archives: string[], hashes: string[]): Promise<RegisteredHousehold[]> {
    const { rows } = (await this.knex.raw(
      `select id, archive_number, national_id_hash from household
         where archive_number = any(?::text[]) or national_id_hash = any(?::text[])`,
      [archives, hashes],
    )) as { rows: RegisteredHousehold[] };
    return rows;
  }

  /** The agreements of the households, with each household's archive number. */
  async agreementsOfHouseholds(householdIds: string[]): Promise<ExistingAgreement[]> {
    return (await this.knex('benefit_agreement as a')
      .join('household as h', 'h.id', 'a.household_id')
      .select([
        'a.producer_id as producerId',
        'h.archive_number as archive',
        'a.kind',
        this.knex.raw('a.effective_from::text as "effectiveFrom"'),
        this.knex.raw('a.effective_to::text as "effectiveTo"'),
      ])
      .whereRaw('a.household_id = any(?::uuid[])', [householdIds])) as ExistingAgreement[];
  }

  /** Opens the transaction of one import; the import commits or rolls it back at its end. */
  async begin(): Promise<ImportTransaction> {
    return this.knex.transaction();
  }

  /**
   * Inserts the households, or updates those whose archive number is taken, in one upsert from
   * unnested column arrays (one parameter per column whatever the batch size, and PostgreSQL reads
   * arrays much faster than a JSON document of the same rows). Answers each row's id and village.
   * A household is updated only when it has the id sent for it (its personal data is bound to
   * that id); a row whose archive number another import took meanwhile is not answered.
   */
  async upsertHouseholds(
    trx: ImportTransaction,
    households: HouseholdColumns,
    piiKeyId: string,
    now: string,
  ): Promise<{ id: string; archive_number: string; village_id: string }[]> {
    const { rows } = (await trx.raw(
      `insert into household (id, archive_number, village_id, head_name_enc, national_id_enc,
         national_id_hash, payout_account_enc, pii_key_id, members, status, exit_year,
         baseline_income_fen, created_at, updated_at)
       select r.id, r.archive_number, r.village_id, r.head_name_enc, r.national_id_enc,
         r.national_id_hash, r.payout_account_enc, ?, r.members, r.status::household_status,
         r.exit_year, r.baseline_income_fen, ?::timestamptz, ?::timestamptz
       from unnest(?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[],
         ?::smallint[], ?::text[], ?::smallint[], ?::bigint[])
         as r(id, archive_number, village_id, head_name_enc, national_id_enc, national_id_hash,
           payout_account_enc, members, status, exit_year, baseline_income_fen)
       on conflict (archive_number) do update set
         village_id = excluded.village_id, head_name_enc = excluded.head_name_enc,
         national_id_enc = excluded.national_id_enc, national_id_hash = excluded.national_id_hash,
         payout_account_enc = excluded.payout_account_enc, pii_key_id = excluded.pii_key_id,
         members = excluded.members, status = excluded.status, exit_year = excluded.exit_year,
         baseline_income_fen = excluded.baseline_income_fen, updated_at = excluded.updated_at
         where household.id = excluded.id
       returning id, archive_number, village_id`,
      [
        piiKeyId,
        now,
        now,
        households.id,
        households.archiveNumber,
        households.villageId,
        households.headNameEnc,
        households.nationalIdEnc,
        households.nationalIdHash,
        households.payoutAccountEnc,
        households.members,
        households.status,
        households.exitYear,
        households.baselineIncomeFen,
      ] as Knex.Value[],
    )) as { rows: { id: string; archive_number: string; village_id: string }[] };
    return rows;
  }

  /** Inserts the agreements from unnested column arrays; the no-overlap constraint has the last word. */
  async insertAgreements(trx: ImportTransaction, columns: AgreementColumns, now: string): Promise<void> {
    await trx.raw(
      `insert into benefit_agreement (id, producer_id, household_id, village_id, kind, weight,
         effective_from, effective_to, created_at)
       select r.id, r.producer_id, r.household_id, r.village_id, r.kind::agreement_kind, r.weight,
         r.effective_from, r.effective_to, ?::timestamptz
       from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::int[], ?::date[],
         ?::date[]) as r(id, producer_id, household_id, village_id, kind, weight, effective_from,
         effective_to)`,
      [
        now,
        columns.id,
        columns.producerId,
        columns.householdId,
        columns.villageId,
        columns.kind,
        columns.weight,
        columns.effectiveFrom,
        columns.effectiveTo,
      ] as Knex.Value[],
    );
  }
}
