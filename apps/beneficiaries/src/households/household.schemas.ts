import { cursorSchema, pageSchema } from '@yugong/shared/grpc';
import { z } from 'zod';
import { nationalIdProblem, normalizeNationalId } from '../pii/national-id.util';
import { HOUSEHOLD_STATUSES } from './household.entity';

export const MAX_MEMBERS = 30;
const ARCHIVE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export const nationalIdSchema = z
  .string({ message: 'is required' })
  .transform(normalizeNationalId)
  .superRefine((id, ctx) => {
    const problem = nationalIdProblem(id);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
    }
  });

export const exitYearSchema = z
  .number({ message: 'must be a number' })
  .int('must be an integer')
  .refine((y) => y === 0 || (y >= 1980 && y <= 2100), 'must be a year 1980..2100, or 0 for none')
  .default(0)
  .transform((y) => (y === 0 ? null : y));

/** The household fields shared by CreateHousehold and every ImportRegister row. */
export const householdFieldsSchema = z
  .object({
    archiveNumber: z
      .string({ message: 'is required' })
      .trim()
      .regex(ARCHIVE_NUMBER, 'must be 1-40 letters, digits, - or _'),
    headName: z
      .string({ message: 'is required' })
      .trim()
      .min(1, 'is required')
      .max(50, 'must be at most 50 characters'),
    nationalId: nationalIdSchema,
    members: z
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(MAX_MEMBERS, `must be at most ${MAX_MEMBERS}`),
    status: z
      .enum(HOUSEHOLD_STATUSES, { message: `must be one of ${HOUSEHOLD_STATUSES.join(', ')}` })
      .default('registered'),
    exitYear: exitYearSchema,
    baselineIncome: z
      .preprocess(
        (v) => v ?? undefined,
        z
          .object({
            fen: z
              .number({ message: 'must be a number' })
              .int('must be whole fen')
              .min(0, 'must not be negative'),
            currency: z
              .string()
              .default('')
              .refine((c) => c === '' || c === 'CNY', 'must be CNY'),
          })
          .default({ fen: 0, currency: '' }),
      )
      .transform((m) => m.fen),
    payoutAccount: z
      .string()
      .default('')
      .transform((s) => s.replace(/\s+/g, ''))
      .refine((s) => s === '' || /^\d{8,32}$/.test(s), 'must be 8-32 digits'),
  })
  .superRefine((h, ctx) => {
    if (h.status === 'exited' && h.exitYear === null) {
      ctx.addIssue({ code: 'custom', path: ['exitYear'], message: 'is required for an exited household' });
    }
  });

export type HouseholdFields = z.infer<typeof householdFieldsSchema>;

export const idSchema = z.string().uuid('must be a UUID');
const optionalId = z
  .string()
  .default('')
  .refine((s) => s === '' || z.string().uuid().safeParse(s).success, 'must be a UUID')
  .transform((s) => s || undefined);
const purposeSchema = z
  .string()
  .default('')
  .transform((s) => s.trim())
  .refine((s) => s.length <= 200, 'must be at most 200 characters');

export const createHouseholdSchema = householdFieldsSchema.and(z.object({ villageId: idSchema }));
export type CreateHouseholdInput = z.input<typeof createHouseholdSchema>;

export const listHouseholdsSchema = z.object({
  page: pageSchema,
  townId: optionalId,
  villageId: optionalId,
  producerId: optionalId,
  status: z.enum(HOUSEHOLD_STATUSES).optional(),
  archiveNumberPrefix: z.string().trim().max(40, 'must be at most 40 characters').default(''),
  /** After the household with this archive number (the list's order, unique). */
  cursor: cursorSchema([/^.{1,40}$/]),
});
export type ListHouseholdsInput = z.input<typeof listHouseholdsSchema>;

/** The ledger's question for a distribution run or an allocation: ids only come back. */
export const distributionRecipientsSchema = z.object({
  townId: optionalId,
  villageId: optionalId,
  status: z.enum(HOUSEHOLD_STATUSES).optional(),
  householdIds: z
    .array(z.string().uuid('must be a UUID'))
    .max(10_000, 'at most 10,000 households')
    .default([]),
});
export type DistributionRecipientsInput = z.input<typeof distributionRecipientsSchema>;

export const updateStatusSchema = z
  .object({
    id: idSchema,
    status: z.enum(HOUSEHOLD_STATUSES, { message: `must be one of ${HOUSEHOLD_STATUSES.join(', ')}` }),
    exitYear: exitYearSchema,
  })
  .superRefine((s, ctx) => {
    if (s.status === 'exited' && s.exitYear === null) {
      ctx.addIssue({ code: 'custom', path: ['exitYear'], message: 'is required for an exited household' });
    }
  });

export const getHouseholdSchema = z.object({ id: idSchema, purpose: purposeSchema });
export const findByNationalIdSchema = z.object({ nationalId: nationalIdSchema, purpose: purposeSchema });
export const listAccessSchema = z.object({
  page: pageSchema,
  householdId: optionalId,
  userId: z.string().max(128).default(''),
});
