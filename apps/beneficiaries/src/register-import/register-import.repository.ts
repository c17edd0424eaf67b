import { EntityManager, type Knex } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

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

/** A value in COPY's text format: `\\N` for null, the four characters that would end a field escaped. */
function copyField(value: string | number | null): string {
  if (value === null) {
    return '\\N';
  }
  const text = String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : text;
}

/** Whether the error is PostgreSQL's unique violation (23505). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === '23505' || e?.cause?.code === '23505';
}

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

  /**
   * Inserts households none of which was registered when the import looked, by `COPY … FROM
   * STDIN` on the import's own connection: no statement to plan, no conflict check per row, and
   * PostgreSQL writes the rows a page at a time. An archive number or national ID another import
   * took meanwhile fails the whole COPY with a unique violation (see {@link isUniqueViolation}).
   */
  async copyHouseholds(
    trx: ImportTransaction,
    households: HouseholdColumns,
    piiKeyId: string,
    now: string,
  ): Promise<void> {
    // Every value here is made by the import or checked against a pattern (UUIDs, base64url
    // envelopes, hex hashes, archive numbers, numbers, enum values, ISO timestamps), so none holds a
    // tab, newline or backslash; the archive number, the one typed in, is still escaped.
    const tail = `\t${copyField(piiKeyId)}`;
    const stamps = `\t${now}\t${now}\n`;
    let text = '';
    for (let i = 0; i < households.id.length; i++) {
      const payout = households.payoutAccountEnc[i];
      const exitYear = households.exitYear[i];
      text +=
        `${households.id[i]}\t${copyField(households.archiveNumber[i])}\t${households.villageId[i]}\t` +
        `${households.headNameEnc[i]}\t${households.nationalIdEnc[i]}\t${households.nationalIdHash[i]}\t` +
        `${payout ?? '\\N'}${tail}\t${households.members[i]}\t${households.status[i]}\t` +
        `${exitYear ?? '\\N'}\t${households.baselineIncomeFen[i]}${stamps}`;
    }
    // The transaction's own connection: knex hands it to every statement of the transaction.
    const connection = await (trx.client as { acquireConnection(): Promise<ClientBase> }).acquireConnection();
    await pipeline(
      Readable.from([text]),
      connection.query(
        copyFrom(
          `copy household (id, archive_number, village_id, head_name_enc, national_id_enc,
             national_id_hash, payout_account_enc, pii_key_id, members, status, exit_year,
             baseline_income_fen, created_at, updated_at) from stdin`,
        ),
      ),
    );
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
