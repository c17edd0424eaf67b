import { EntityManager, type Knex } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { requireRole, type CallerIdentity } from '@yugong/shared/auth';
import type { FieldError } from '@yugong/shared/errors';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isOverlapViolation, OverlappingAgreement } from '../agreements/agreement.errors';
import { isIsoDate } from '../agreements/as-of.util';
import { weightSchema } from '../agreements/agreements.service';
import { AGREEMENT_KINDS, type AgreementKindName } from '../agreements/benefit-agreement.entity';
import { householdFieldsSchema, type HouseholdFields } from '../households/household.validation';
import { PiiCipher } from '../pii/pii-cipher';

/** One row of a register file as it arrives (any field may be missing or wrong). */
export interface ImportRowInput {
  line?: number;
  archiveNumber?: string;
  headName?: string;
  nationalId?: string;
  members?: number;
  villageId?: string;
  townNameZh?: string;
  villageNameZh?: string;
  status?: string;
  exitYear?: number;
  baselineIncome?: { fen?: number; currency?: string } | null;
  payoutAccount?: string;
  producerId?: string;
  agreementKind?: string;
  agreementWeight?: number;
  agreementEffectiveFrom?: string;
  agreementEffectiveTo?: string;
}

export interface ImportOptions {
  partial: boolean;
  dryRun: boolean;
}

export interface ImportReport {
  rowsRead: number;
  householdsCreated: number;
  householdsUpdated: number;
  agreementsCreated: number;
  rejected: { line: number; field: string; reason: string }[];
  committed: boolean;
}

interface AgreementFields {
  producerId: string;
  kind: AgreementKindName;
  weight: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}

interface GoodRow {
  line: number;
  household: HouseholdFields & { villageId: string; hash: string };
  agreement?: AgreementFields;
}

interface ExistingAgreement {
  producerId: string;
  archive: string;
  kind: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** What the import knows of one archive number of the file: O(1) per household, not per row. */
interface HouseholdSeen {
  hash: string;
  line: number;
  /** Set once a row of it was accepted (the first accepted row gives the household's fields). */
  accepted: boolean;
  /** Its id and village once written in this import's transaction. */
  written?: { id: string; villageId: string };
}

/** The households of one batch, column by column: each column is one array parameter of the upsert. */
interface HouseholdColumns {
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

/** Rows per lookup query of the register. */
const LOOKUP_CHUNK = 5_000;
const DAY_AFTER_EVERYTHING = '9999-12-31';

const agreementSchema = z
  .object({
    producerId: z.string().uuid('must be a UUID'),
    kind: z.enum(AGREEMENT_KINDS, { message: `must be one of ${AGREEMENT_KINDS.join(', ')}` }),
    weight: weightSchema,
    effectiveFrom: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'),
    effectiveTo: z
      .string()
      .default('')
      .refine((s) => s === '' || isIsoDate(s), 'must be a date YYYY-MM-DD')
      .transform((s) => s || null),
  })
  .superRefine((a, ctx) => {
    if (a.effectiveTo !== null && a.effectiveTo <= a.effectiveFrom) {
      ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'must be after effectiveFrom' });
    }
  });

// Wire names of the agreement fields of a row, for the report.
const AGREEMENT_FIELD: Record<string, string> = {
  producerId: 'producerId',
  kind: 'agreementKind',
  weight: 'agreementWeight',
  effectiveFrom: 'agreementEffectiveFrom',
  effectiveTo: 'agreementEffectiveTo',
};

function issuesOf(error: z.ZodError, rename: (field: string) => string = (f) => f): FieldError[] {
  return error.issues.map((issue) => ({
    field: rename(issue.path.map(String).join('.') || '(row)'),
    reason: issue.message,
  }));
}

function overlaps(a: { effectiveFrom: string; effectiveTo: string | null }, b: typeof a): boolean {
  return (
    a.effectiveFrom < (b.effectiveTo ?? DAY_AFTER_EVERYTHING) &&
    b.effectiveFrom < (a.effectiveTo ?? DAY_AFTER_EVERYTHING)
  );
}

const agreementKey = (archive: string, producerId: string, kind: string) =>
  `${archive}|${producerId}|${kind}`;

/**
 * Imports households (and their agreements) from a register file: every row validated and each
 * bad one reported by line, field and reason; idempotent on archive number (a re-import updates);
 * all-or-nothing in one transaction unless partial. Open a session, `add` the rows batch by batch
 * as they arrive, then `finish`.
 */
@Injectable()
export class RegisterImportService {
  private readonly logger = new Logger(RegisterImportService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly cipher: PiiCipher,
  ) {}

  /** Starts an import for the caller (relief office only). */
  async open(caller: CallerIdentity | null, options: ImportOptions): Promise<RegisterImportSession> {
    requireRole(caller, 'relief_officer', 'admin');
    const knex = this.em.getKnex();
    return new RegisterImportSession(knex, this.cipher, options, await villageIndex(knex), this.logger);
  }

  /** The whole import of rows already in memory: open, one batch, finish. */
  async import(
    caller: CallerIdentity | null,
    options: ImportOptions,
    rows: ImportRowInput[],
  ): Promise<ImportReport> {
    const session = await this.open(caller, options);
    try {
      await session.add(rows);
      return await session.finish();
    } finally {
      await session.abort();
    }
  }
}

/**
 * One import in progress. Each batch is validated against the rows before it (maps keyed by archive
 * number and national-ID hash, so linear in the rows) and against the register as it stood before
 * the import, then written at once inside the import's single transaction, which `finish` commits
 * (or rolls back when a bad row stops an all-or-nothing import). Memory grows with the distinct
 * households and agreements of the file, never with its rows; the rows of a batch are dropped once
 * it is written.
 */
export class RegisterImportSession {
  private readonly rejected: ImportReport['rejected'] = [];
  private readonly seen = new Map<string, HouseholdSeen>();
  private readonly lineOfHash = new Map<string, { archive: string; line: number }>();
  /** Register before the import, for the archive numbers and hashes of the file. */
  private readonly existingIdOfArchive = new Map<string, string>();
  private readonly holderOfHash = new Map<string, string>();
  /** Agreement periods per archive, producer and kind: those held before the import and those added. */
  private readonly periods = new Map<string, { effectiveFrom: string; effectiveTo: string | null }[]>();
  private rowsRead = 0;
  private householdsCreated = 0;
  private householdsUpdated = 0;
  private agreementsCreated = 0;
  private trx: Knex.Transaction | undefined;
  private previousWrite: Promise<void> = Promise.resolve();
  private done = false;

  constructor(
    private readonly knex: Knex,
    private readonly cipher: PiiCipher,
    private readonly options: ImportOptions,
    private readonly villages: { byId: Set<string>; byName: Map<string, string> },
    private readonly logger: Logger,
  ) {}

  /** Whether rows are still written: not a dry run, and no bad row has doomed an all-or-nothing import. */
  private get writing(): boolean {
    return !this.options.dryRun && (this.options.partial || this.rejected.length === 0);
  }

  private reject(line: number, errors: FieldError[]): void {
    for (const e of errors) {
      this.rejected.push({ line, field: e.field, reason: e.reason });
    }
  }

  /** Validates one batch of rows and, while the import may still commit, writes the good ones. */
  async add(rows: ImportRowInput[]): Promise<void> {
    if (this.done) {
      throw new Error('register import already finished');
    }
    const parsed = this.parse(rows);

    // Across rows: one archive number is one household, one national ID one archive number.
    const consistent: GoodRow[] = [];
    const newArchives: string[] = [];
    const newHashes: string[] = [];
    for (const row of parsed) {
      const { archiveNumber: archive, hash } = row.household;
      const first = this.seen.get(archive);
      if (first && first.hash !== hash) {
        this.reject(row.line, [
          { field: 'nationalId', reason: `differs from line ${first.line} for the same archive number` },
        ]);
        continue;
      }
      const other = this.lineOfHash.get(hash);
      if (other && other.archive !== archive) {
        this.reject(row.line, [
          { field: 'nationalId', reason: `repeats the national ID of line ${other.line}` },
        ]);
        continue;
      }
      if (!first) {
        this.seen.set(archive, { hash, line: row.line, accepted: false });
        newArchives.push(archive);
      }
      if (!other) {
        newHashes.push(hash);
      }
      this.lineOfHash.set(hash, { archive, line: row.line });
      consistent.push(row);
    }

    // The register as it stood before the import (read outside the import's transaction).
    await this.lookUpRegister(newArchives, newHashes);

    const households: GoodRow['household'][] = [];
    const agreements: (AgreementFields & { archive: string })[] = [];
    for (const row of consistent) {
      const archive = row.household.archiveNumber;
      // A national ID may not move to another archive number.
      const holder = this.holderOfHash.get(row.household.hash);
      if (holder && holder !== archive) {
        this.reject(row.line, [{ field: 'nationalId', reason: 'is registered to another household' }]);
        continue;
      }
      // Agreements: an identical one already held is skipped (re-import); an overlapping one refused.
      const agreement = row.agreement;
      if (agreement) {
        const key = agreementKey(archive, agreement.producerId, agreement.kind);
        const known = this.periods.get(key);
        const clashes = known?.filter((a) => overlaps(a, agreement)) ?? [];
        const identical =
          clashes.length === 1 &&
          clashes[0].effectiveFrom === agreement.effectiveFrom &&
          clashes[0].effectiveTo === agreement.effectiveTo;
        if (clashes.length > 0 && !identical) {
          this.reject(row.line, [
            {
              field: 'agreementEffectiveFrom',
              reason: 'overlaps another agreement of the same producer, household and kind',
            },
          ]);
          continue;
        }
        if (!identical) {
          if (known) {
            known.push(agreement);
          } else {
            this.periods.set(key, [agreement]);
          }
          agreements.push({ archive, ...agreement });
          this.agreementsCreated += 1;
        }
      }
      const seen = this.seen.get(archive)!;
      if (!seen.accepted) {
        seen.accepted = true;
        households.push(row.household);
        if (this.existingIdOfArchive.has(archive)) {
          this.householdsUpdated += 1;
        } else {
          this.householdsCreated += 1;
        }
      }
    }

    // One batch's SQL in flight at a time: it runs while the next batch is parsed and encrypted.
    await this.previousWrite;
    if (this.writing && (households.length > 0 || agreements.length > 0)) {
      const write = this.write(this.householdColumns(households), agreements);
      write.catch(() => undefined); // awaited (and so thrown) by the next batch or by finish
      this.previousWrite = write;
    }
  }

  /** Ends the import: commits what was written, or rolls it back; the report either way. */
  async finish(): Promise<ImportReport> {
    if (this.done) {
      throw new Error('register import already finished');
    }
    await this.previousWrite;
    const commit = this.writing;
    this.done = true;
    const trx = this.trx;
    this.trx = undefined;
    if (trx) {
      await (commit ? trx.commit() : trx.rollback());
    }
    const report: ImportReport = {
      rowsRead: this.rowsRead,
      householdsCreated: this.householdsCreated,
      householdsUpdated: this.householdsUpdated,
      agreementsCreated: this.agreementsCreated,
      rejected: this.rejected.sort((a, b) => a.line - b.line),
      committed: commit,
    };
    if (this.rejected.length > 0 && !this.options.partial) {
      report.householdsCreated = 0;
      report.householdsUpdated = 0;
      report.agreementsCreated = 0;
    }
    if (commit) {
      this.logger.log(
        `register import: ${report.rowsRead} rows, ${report.householdsCreated} households created, ${report.householdsUpdated} updated, ${report.agreementsCreated} agreements, ${report.rejected.length} rejections`,
      );
    }
    return report;
  }

  /** Rolls back whatever was written (the stream failed or was cancelled); harmless after finish. */
  async abort(): Promise<void> {
    this.done = true;
    await this.previousWrite.catch(() => undefined);
    const trx = this.trx;
    this.trx = undefined;
    if (trx && !trx.isCompleted()) {
      await trx.rollback().catch(() => undefined);
    }
  }

  private parse(rows: ImportRowInput[]): GoodRow[] {
    const parsed: GoodRow[] = [];
    for (const row of rows) {
      this.rowsRead += 1;
      const line = row.line && row.line > 0 ? row.line : this.rowsRead;
      const errors: FieldError[] = [];
      const household = householdFieldsSchema.safeParse({ ...row, status: row.status || undefined });
      if (!household.success) {
        errors.push(...issuesOf(household.error));
      }
      const villageId = row.villageId
        ? this.villages.byId.has(row.villageId)
          ? row.villageId
          : undefined
        : this.villages.byName.get(`${row.townNameZh ?? ''}/${row.villageNameZh ?? ''}`);
      if (!villageId) {
        errors.push(
          row.villageId
            ? { field: 'villageId', reason: 'is not a known village' }
            : {
                field: 'villageNameZh',
                reason:
                  'names no known village of the town (give townNameZh and villageNameZh, or villageId)',
              },
        );
      }
      let agreement: AgreementFields | undefined;
      if (
        row.producerId ||
        row.agreementKind ||
        row.agreementWeight ||
        row.agreementEffectiveFrom ||
        row.agreementEffectiveTo
      ) {
        const parsedAgreement = agreementSchema.safeParse({
          producerId: row.producerId ?? '',
          kind: row.agreementKind,
          weight: row.agreementWeight,
          effectiveFrom: row.agreementEffectiveFrom ?? '',
          effectiveTo: row.agreementEffectiveTo ?? '',
        });
        if (parsedAgreement.success) {
          agreement = parsedAgreement.data;
        } else {
          errors.push(...issuesOf(parsedAgreement.error, (f) => AGREEMENT_FIELD[f] ?? f));
        }
      }
      if (errors.length > 0 || !household.success || !villageId) {
        this.reject(line, errors);
        continue;
      }
      parsed.push({
        line,
        household: {
          ...household.data,
          villageId,
          hash: this.cipher.hashNationalId(household.data.nationalId),
        },
        agreement,
      });
    }
    return parsed;
  }

  /**
   * Reads the households of the given archive numbers or hashes, and the agreements of those of
   * them whose archive numbers are in the file, as committed before the import began: the import's
   * own writes are still uncommitted, so reads on the pool do not see them.
   */
  private async lookUpRegister(archives: string[], hashes: string[]): Promise<void> {
    const idsOfNewArchives: string[] = [];
    const wanted = new Set(archives);
    for (let i = 0; i < Math.max(archives.length, hashes.length); i += LOOKUP_CHUNK) {
      // One array parameter per list (not one per value): the statement stays small to send and plan.
      const { rows } = (await this.knex.raw(
        `select id, archive_number, national_id_hash from household
         where archive_number = any(?::text[]) or national_id_hash = any(?::text[])`,
        [archives.slice(i, i + LOOKUP_CHUNK), hashes.slice(i, i + LOOKUP_CHUNK)],
      )) as { rows: { id: string; archive_number: string; national_id_hash: string }[] };
      for (const row of rows) {
        this.holderOfHash.set(row.national_id_hash, row.archive_number);
        if (wanted.has(row.archive_number) && !this.existingIdOfArchive.has(row.archive_number)) {
          this.existingIdOfArchive.set(row.archive_number, row.id);
          idsOfNewArchives.push(row.id);
        }
      }
    }
    for (let i = 0; i < idsOfNewArchives.length; i += LOOKUP_CHUNK) {
      const held = (await this.knex('benefit_agreement as a')
        .join('household as h', 'h.id', 'a.household_id')
        .select([
          'a.producer_id as producerId',
          'h.archive_number as archive',
          'a.kind',
          this.knex.raw('a.effective_from::text as "effectiveFrom"'),
          this.knex.raw('a.effective_to::text as "effectiveTo"'),
        ])
        .whereRaw('a.household_id = any(?::uuid[])', [
          idsOfNewArchives.slice(i, i + LOOKUP_CHUNK),
        ])) as ExistingAgreement[];
      for (const a of held) {
        const key = agreementKey(a.archive, a.producerId, a.kind);
        const known = this.periods.get(key);
        if (known) {
          known.push(a);
        } else {
          this.periods.set(key, [a]);
        }
      }
    }
  }

  /** The households of a batch as the column arrays the upsert reads, personal data encrypted. */
  private householdColumns(households: GoodRow['household'][]): HouseholdColumns | undefined {
    if (households.length === 0) {
      return undefined;
    }
    const columns: HouseholdColumns = {
      id: [],
      archiveNumber: [],
      villageId: [],
      headNameEnc: [],
      nationalIdEnc: [],
      nationalIdHash: [],
      payoutAccountEnc: [],
      members: [],
      status: [],
      exitYear: [],
      baselineIncomeFen: [],
    };
    for (const h of households) {
      columns.id.push(randomUUID());
      columns.archiveNumber.push(h.archiveNumber);
      columns.villageId.push(h.villageId);
      columns.headNameEnc.push(this.cipher.encrypt('head_name', h.headName));
      columns.nationalIdEnc.push(this.cipher.encrypt('national_id', h.nationalId));
      columns.nationalIdHash.push(h.hash);
      columns.payoutAccountEnc.push(
        h.payoutAccount ? this.cipher.encrypt('payout_account', h.payoutAccount) : null,
      );
      columns.members.push(h.members);
      columns.status.push(h.status);
      columns.exitYear.push(h.exitYear ?? null);
      columns.baselineIncomeFen.push(h.baselineIncome);
    }
    return columns;
  }

  /**
   * Writes one batch in the import's transaction: the households first seen in it (one upsert from
   * unnested column arrays: one parameter per column whatever the batch size, and PostgreSQL
   * reads arrays much faster than a JSON document of the same rows), then its new agreements.
   */
  private async write(
    households: HouseholdColumns | undefined,
    agreements: (AgreementFields & { archive: string })[],
  ): Promise<void> {
    this.trx ??= await this.knex.transaction();
    const trx = this.trx;
    const now = new Date().toISOString();
    try {
      if (households) {
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
           returning id, archive_number, village_id`,
          [
            this.cipher.activeKeyId,
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
        for (const row of rows) {
          this.seen.get(row.archive_number)!.written = { id: row.id, villageId: row.village_id };
        }
      }
      if (agreements.length > 0) {
        const columns = {
          id: [] as string[],
          producerId: [] as string[],
          householdId: [] as string[],
          villageId: [] as string[],
          kind: [] as string[],
          weight: [] as number[],
          effectiveFrom: [] as string[],
          effectiveTo: [] as (string | null)[],
        };
        for (const a of agreements) {
          const household = this.seen.get(a.archive)!.written!;
          columns.id.push(randomUUID());
          columns.producerId.push(a.producerId);
          columns.householdId.push(household.id);
          columns.villageId.push(household.villageId);
          columns.kind.push(a.kind);
          columns.weight.push(a.weight);
          columns.effectiveFrom.push(a.effectiveFrom);
          columns.effectiveTo.push(a.effectiveTo);
        }
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
    } catch (error) {
      if (isOverlapViolation(error)) {
        throw new OverlappingAgreement();
      }
      throw error;
    }
  }
}

async function villageIndex(knex: Knex): Promise<{ byId: Set<string>; byName: Map<string, string> }> {
  const rows = (await knex('village as v')
    .join('town as t', 't.id', 'v.town_id')
    .select(['v.id', 'v.name_zh as village', 't.name_zh as town'])) as {
    id: string;
    village: string;
    town: string;
  }[];
  return {
    byId: new Set(rows.map((r) => r.id)),
    byName: new Map(rows.map((r) => [`${r.town}/${r.village}`, r.id])),
  };
}
