import { z } from 'zod';
import { weightSchema } from '../agreements/agreement.schemas';
import { isIsoDate } from '../agreements/as-of.util';
import { AGREEMENT_KINDS } from '../agreements/benefit-agreement.entity';
import { householdFieldsSchema } from '../households/household.schemas';

/** The agreement fields of one register row, when it names any. */
export const importAgreementSchema = z
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

export type AgreementFields = z.infer<typeof importAgreementSchema>;

/**
 * The two schemas every row of an import is parsed with, compiled ahead of time (`z.compile`): a
 * row that passes is parsed by generated code several times faster than the runtime parser; a row
 * that fails goes through the runtime parser, so its issues are the schema's own, word for word.
 */
export const importHouseholdRowSchema = z.compile(householdFieldsSchema);
export const importAgreementRowSchema = z.compile(importAgreementSchema);

/** Wire names of the agreement fields of a row, for the report. */
export const AGREEMENT_FIELD: Record<string, string> = {
  producerId: 'producerId',
  kind: 'agreementKind',
  weight: 'agreementWeight',
  effectiveFrom: 'agreementEffectiveFrom',
  effectiveTo: 'agreementEffectiveTo',
};

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

/** The options of an import as they arrive (the first message of the stream). */
export interface ImportOptions {
  partial: boolean;
  dryRun: boolean;
  purpose: string;
}

/**
 * The options of an import. The purpose is required: a dry run that answers "registered to
 * another household" confirms a national ID, so every match is recorded with it.
 */
export const importOptionsSchema = z.object({
  partial: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  purpose: z
    .string()
    .default('')
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(1, 'is required: say why the register file is imported (recorded in the access log)')
        .max(200, 'must be at most 200 characters'),
    ),
});
