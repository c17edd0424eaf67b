import { Injectable, Logger } from '@nestjs/common';
import { requireRole, type CallerIdentity } from '@yugong/shared/auth';
import type { FieldError } from '@yugong/shared/errors';
import type { z } from 'zod';
import { parseRequest } from '@yugong/shared/grpc';
import { randomUUID } from 'node:crypto';
import { HouseholdRepository } from '../households/household.repository';
import { PiiCipher } from '../pii/pii-cipher';
import { PiiSealPool } from '../pii/pii-seal-pool';
import { RegisterImportRepository } from './register-import.repository';
import {
  AGREEMENT_FIELD,
  importAgreementRowSchema,
  importHouseholdRowSchema,
  importOptionsSchema,
  type AgreementFields,
  type ImportOptions,
  type ImportRowInput,
} from './register-import.schemas';
import { RegisterImportSession, type GoodRow, type ImportReport } from './register-import.session';

/** The villages of the register, by id and by "town/village" name. */
interface VillageIndex {
  byId: Set<string>;
  byName: Map<string, string>;
}

function issuesOf(error: z.ZodError, rename: (field: string) => string = (f) => f): FieldError[] {
  return error.issues.map((issue) => ({
    field: rename(issue.path.map(String).join('.') || '(row)'),
    reason: issue.message,
  }));
}

/**
 * Imports households (and their agreements) from a register file: every row validated and each
 * bad one reported by line, field and reason; idempotent on archive number (a re-import updates);
 * all-or-nothing in one transaction unless partial. Open a session, `add` the rows batch by batch
 * as they arrive, then `finish`. The service holds the rules of one row; the session those across
 * rows and the import's transaction.
 */
@Injectable()
export class RegisterImportService {
  private readonly logger = new Logger(RegisterImportService.name);

  constructor(
    private readonly repository: RegisterImportRepository,
    private readonly households: HouseholdRepository,
    private readonly cipher: PiiCipher,
    private readonly sealPool: PiiSealPool,
  ) {}

  /**
   * Starts an import for the caller (relief office only), with a stated purpose: every household
   * the file matches by national ID is recorded in the PII access log under it, dry runs included.
   */
  async open(caller: CallerIdentity | null, input: Partial<ImportOptions>): Promise<RegisterImportSession> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const options = parseRequest(importOptionsSchema, input);
    const villages = await this.villageIndex();
    const action = options.dryRun ? 'ImportRegisterDryRun' : 'ImportRegister';
    return new RegisterImportSession(
      this.repository,
      this.cipher,
      this.sealPool,
      options,
      (row, line) => this.checkRow(row, line, villages),
      (householdIds) =>
        this.households.recordAccesses(
          householdIds.map((householdId) => ({
            id: randomUUID(),
            userId: officer.userId,
            role: officer.role,
            householdId,
            purpose: options.purpose,
            action,
          })),
        ),
      this.logger,
    );
  }

  /** The whole import of rows already in memory: open, one batch, finish. */
  async import(
    caller: CallerIdentity | null,
    options: Partial<ImportOptions>,
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

  /** One row on its own: its household fields, its village (by id or by name), its agreement if any. */
  private checkRow(row: ImportRowInput, line: number, villages: VillageIndex): GoodRow | FieldError[] {
    const errors: FieldError[] = [];
    // An empty status is the default one; a row without one is parsed as it is, not copied.
    const household = importHouseholdRowSchema.safeParse(
      row.status === '' ? { ...row, status: undefined } : row,
    );
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
              reason: 'names no known village of the town (give townNameZh and villageNameZh, or villageId)',
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
      const parsedAgreement = importAgreementRowSchema.safeParse({
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
      return errors;
    }
    // The parsed fields are this row's own object: completed in place rather than copied.
    const fields = household.data as GoodRow['household'];
    fields.villageId = villageId;
    fields.hash = this.cipher.hashNationalId(fields.nationalId);
    return { line, household: fields, agreement };
  }

  private async villageIndex(): Promise<VillageIndex> {
    const rows = await this.repository.villages();
    return {
      byId: new Set(rows.map((r) => r.id)),
      byName: new Map(rows.map((r) => [`${r.town}/${r.village}`, r.id])),
    };
  }
}
