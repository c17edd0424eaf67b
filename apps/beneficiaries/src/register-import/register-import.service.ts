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
  householdId: string;
  kind: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

const CHUNK = 1_000;
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

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

function overlaps(a: { effectiveFrom: string; effectiveTo: string | null }, b: typeof a): boolean {
  return (
    a.effectiveFrom < (b.effectiveTo ?? DAY_AFTER_EVERYTHING) &&
    b.effectiveFrom < (a.effectiveTo ?? DAY_AFTER_EVERYTHING)
  );
}

/**
 * Imports households (and their agreements) from a register file: every row validated and each
 * bad one reported by line, field and reason; idempotent on archive number (a re-import updates);
 * all-or-nothing in one transaction unless partial. Writes in chunks of multi-row upserts.
 */
@Injectable()
export class RegisterImportService {
  private readonly logger = new Logger(RegisterImportService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly cipher: PiiCipher,
  ) {}

  async import(
    caller: CallerIdentity | null,
    options: ImportOptions,
    rows: ImportRowInput[],
  ): Promise<ImportReport> {
    requireRole(caller, 'relief_officer', 'admin');
    const knex = this.em.getKnex();
    const rejected: ImportReport['rejected'] = [];
    const reject = (line: number, errors: FieldError[]) => {
      for (const e of errors) {
        rejected.push({ line, field: e.field, reason: e.reason });
      }
    };

    const villages = await this.villageIndex(knex);
    const parsed: GoodRow[] = [];
    rows.forEach((row, index) => {
      const line = row.line && row.line > 0 ? row.line : index + 1;
      const errors: FieldError[] = [];
      const household = householdFieldsSchema.safeParse({ ...row, status: row.status || undefined });
      if (!household.success) {
        errors.push(...issuesOf(household.error));
      }
      const villageId = row.villageId
        ? villages.byId.has(row.villageId)
          ? row.villageId
          : undefined
        : villages.byName.get(`${row.townNameZh ?? ''}/${row.villageNameZh ?? ''}`);
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
        reject(line, errors);
        return;
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
    });

    // Across rows: one archive number is one household, one national ID one archive number.
    const byArchive = new Map<string, GoodRow>();
    const archiveOfHash = new Map<string, { archive: string; line: number }>();
    const consistent: GoodRow[] = [];
    for (const row of parsed) {
      const first = byArchive.get(row.household.archiveNumber);
      if (first && first.household.hash !== row.household.hash) {
        reject(row.line, [
          { field: 'nationalId', reason: `differs from line ${first.line} for the same archive number` },
        ]);
        continue;
      }
      const other = archiveOfHash.get(row.household.hash);
      if (other && other.archive !== row.household.archiveNumber) {
        reject(row.line, [{ field: 'nationalId', reason: `repeats the national ID of line ${other.line}` }]);
        continue;
      }
      byArchive.set(row.household.archiveNumber, first ?? row);
      archiveOfHash.set(row.household.hash, { archive: row.household.archiveNumber, line: row.line });
      consistent.push(row);
    }

    // Against the register: a national ID may not move to another archive number.
    const existing = await this.existingHouseholds(knex, [...byArchive.keys()], [...archiveOfHash.keys()]);
    const accepted: GoodRow[] = [];
    for (const row of consistent) {
      const holder = existing.archiveOfHash.get(row.household.hash);
      if (holder && holder !== row.household.archiveNumber) {
        reject(row.line, [{ field: 'nationalId', reason: 'is registered to another household' }]);
        continue;
      }
      accepted.push(row);
    }

    // Agreements: an identical one already held is skipped (re-import); an overlapping one refused.
    const held = groupBy(
      await this.existingAgreements(knex, [...existing.idOfArchive.values()]),
      (a) => `${a.householdId}|${a.producerId}|${a.kind}`,
    );
    const pending = new Map<string, AgreementFields[]>();
    const newAgreements: { archive: string; agreement: AgreementFields }[] = [];
    const households = new Map<string, GoodRow['household']>();
    for (const row of accepted) {
      const agreement = row.agreement;
      const archive = row.household.archiveNumber;
      if (agreement) {
        const householdId = existing.idOfArchive.get(archive);
        const key = `${archive}|${agreement.producerId}|${agreement.kind}`;
        const clashes = [
          ...(householdId
            ? (held.get(`${householdId}|${agreement.producerId}|${agreement.kind}`) ?? [])
            : []),
          ...(pending.get(key) ?? []),
        ].filter((a) => overlaps(a, agreement));
        const identical =
          clashes.length === 1 &&
          clashes[0].effectiveFrom === agreement.effectiveFrom &&
          clashes[0].effectiveTo === agreement.effectiveTo;
        if (clashes.length > 0 && !identical) {
          reject(row.line, [
            {
              field: 'agreementEffectiveFrom',
              reason: 'overlaps another agreement of the same producer, household and kind',
            },
          ]);
          continue;
        }
        if (!identical) {
          pending.set(key, [...(pending.get(key) ?? []), agreement]);
          newAgreements.push({ archive, agreement });
        }
      }
      if (!households.has(archive)) {
        households.set(archive, row.household);
      }
    }

    const report: ImportReport = {
      rowsRead: rows.length,
      householdsCreated: [...households.keys()].filter((a) => !existing.idOfArchive.has(a)).length,
      householdsUpdated: [...households.keys()].filter((a) => existing.idOfArchive.has(a)).length,
      agreementsCreated: newAgreements.length,
      rejected: rejected.sort((a, b) => a.line - b.line),
      committed: false,
    };
    if (options.dryRun || (rejected.length > 0 && !options.partial)) {
      if (rejected.length > 0 && !options.partial) {
        report.householdsCreated = 0;
        report.householdsUpdated = 0;
        report.agreementsCreated = 0;
      }
      return report;
    }
    await this.write(
      knex,
      [...households.values()],
      newAgreements.map((n) => ({ archive: n.archive, ...n.agreement })),
    );
    report.committed = true;
    this.logger.log(
      `register import: ${report.rowsRead} rows, ${report.householdsCreated} households created, ${report.householdsUpdated} updated, ${report.agreementsCreated} agreements, ${report.rejected.length} rejections`,
    );
    return report;
  }

  private async write(
    knex: Knex,
    households: GoodRow['household'][],
    agreements: (AgreementFields & { archive: string })[],
  ): Promise<void> {
    try {
      await knex.transaction(async (trx) => {
        const idOfArchive = new Map<string, string>();
        const now = new Date();
        for (let i = 0; i < households.length; i += CHUNK) {
          const chunk = households.slice(i, i + CHUNK).map((h) => ({
            id: randomUUID(),
            archive_number: h.archiveNumber,
            village_id: h.villageId,
            head_name_enc: this.cipher.encrypt('head_name', h.headName),
            national_id_enc: this.cipher.encrypt('national_id', h.nationalId),
            national_id_hash: h.hash,
            payout_account_enc: h.payoutAccount
              ? this.cipher.encrypt('payout_account', h.payoutAccount)
              : null,
            pii_key_id: this.cipher.activeKeyId,
            members: h.members,
            status: h.status,
            exit_year: h.exitYear,
            baseline_income_fen: h.baselineIncome,
            created_at: now,
            updated_at: now,
          }));
          const written = (await trx('household')
            .insert(chunk)
            .onConflict('archive_number')
            .merge([
              'village_id',
              'head_name_enc',
              'national_id_enc',
              'national_id_hash',
              'payout_account_enc',
              'pii_key_id',
              'members',
              'status',
              'exit_year',
              'baseline_income_fen',
              'updated_at',
            ])
            .returning(['id', 'archive_number', 'village_id'])) as {
            id: string;
            archive_number: string;
            village_id: string;
          }[];
          for (const row of written) {
            idOfArchive.set(row.archive_number, `${row.id}|${row.village_id}`);
          }
        }
        for (let i = 0; i < agreements.length; i += CHUNK) {
          const chunk = agreements.slice(i, i + CHUNK).map((a) => {
            const [householdId, villageId] = idOfArchive.get(a.archive)!.split('|');
            return {
              id: randomUUID(),
              producer_id: a.producerId,
              household_id: householdId,
              village_id: villageId,
              kind: a.kind,
              weight: a.weight,
              effective_from: a.effectiveFrom,
              effective_to: a.effectiveTo,
              created_at: now,
            };
          });
          await trx('benefit_agreement').insert(chunk);
        }
      });
    } catch (error) {
      if (isOverlapViolation(error)) {
        throw new OverlappingAgreement();
      }
      throw error;
    }
  }

  private async villageIndex(knex: Knex): Promise<{ byId: Set<string>; byName: Map<string, string> }> {
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

  private async existingHouseholds(
    knex: Knex,
    archives: string[],
    hashes: string[],
  ): Promise<{ idOfArchive: Map<string, string>; archiveOfHash: Map<string, string> }> {
    const idOfArchive = new Map<string, string>();
    const archiveOfHash = new Map<string, string>();
    for (let i = 0; i < Math.max(archives.length, hashes.length); i += CHUNK * 5) {
      const rows = (await knex('household')
        .select(['id', 'archive_number', 'national_id_hash'])
        .whereIn('archive_number', archives.slice(i, i + CHUNK * 5))
        .orWhereIn('national_id_hash', hashes.slice(i, i + CHUNK * 5))) as {
        id: string;
        archive_number: string;
        national_id_hash: string;
      }[];
      for (const row of rows) {
        idOfArchive.set(row.archive_number, row.id);
        archiveOfHash.set(row.national_id_hash, row.archive_number);
      }
    }
    const wanted = new Set(archives);
    for (const archive of [...idOfArchive.keys()]) {
      if (!wanted.has(archive)) {
        idOfArchive.delete(archive);
      }
    }
    return { idOfArchive, archiveOfHash };
  }

  private async existingAgreements(knex: Knex, householdIds: string[]): Promise<ExistingAgreement[]> {
    const all: ExistingAgreement[] = [];
    for (let i = 0; i < householdIds.length; i += CHUNK * 5) {
      all.push(
        ...((await knex('benefit_agreement')
          .select([
            'producer_id as producerId',
            'household_id as householdId',
            'kind',
            knex.raw('effective_from::text as "effectiveFrom"'),
            knex.raw('effective_to::text as "effectiveTo"'),
          ])
          .whereIn('household_id', householdIds.slice(i, i + CHUNK * 5))) as ExistingAgreement[]),
      );
    }
    return all;
  }
}
