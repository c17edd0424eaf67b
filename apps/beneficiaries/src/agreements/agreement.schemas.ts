import { pageSchema } from '@yugong/shared/grpc';
import { z } from 'zod';
import { isIsoDate } from './as-of.util';
import { AGREEMENT_KINDS } from './benefit-agreement.entity';

const uuid = z.string().uuid('must be a UUID');
const dateSchema = z.string({ message: 'is required' }).refine(isIsoDate, 'must be a date YYYY-MM-DD');
const optionalDate = z
  .string()
  .default('')
  .refine((s) => s === '' || isIsoDate(s), 'must be a date YYYY-MM-DD')
  .transform((s) => s || null);
const optionalUuid = z
  .string()
  .default('')
  .refine((s) => s === '' || uuid.safeParse(s).success, 'must be a UUID')
  .transform((s) => s || undefined);

export const MAX_WEIGHT = 1_000_000;
export const weightSchema = z
  .number({ message: 'must be a number' })
  .int('must be an integer')
  .min(1, 'must be a positive integer')
  .max(MAX_WEIGHT, `must be at most ${MAX_WEIGHT}`);

export const createAgreementSchema = z
  .object({
    producerId: uuid,
    householdId: uuid,
    kind: z.enum(AGREEMENT_KINDS, { message: `must be one of ${AGREEMENT_KINDS.join(', ')}` }),
    weight: weightSchema,
    effectiveFrom: dateSchema,
    effectiveTo: optionalDate,
  })
  .superRefine((a, ctx) => {
    if (a.effectiveTo !== null && a.effectiveTo <= a.effectiveFrom) {
      ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'must be after effectiveFrom' });
    }
  });

const MAX_SUPPLIERS = 1_000;

export const listAgreementsSchema = z
  .object({ householdId: optionalUuid, producerId: optionalUuid, page: pageSchema })
  .refine((f) => f.householdId || f.producerId, {
    path: ['householdId'],
    message: 'householdId or producerId is required',
  });

export const endAgreementSchema = z.object({ id: uuid, effectiveTo: dateSchema });

export const createCollectiveShareSchema = z
  .object({
    producerId: uuid,
    villageId: uuid,
    shareBps: z
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(5_000, 'must be at most 5000'),
    effectiveFrom: dateSchema,
    effectiveTo: optionalDate,
  })
  .superRefine((a, ctx) => {
    if (a.effectiveTo !== null && a.effectiveTo <= a.effectiveFrom) {
      ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'must be after effectiveFrom' });
    }
  });

export const sharesSchema = z.object({ producerId: uuid });

export const validateSuppliersSchema = z.object({
  producerId: uuid,
  householdIds: z.array(uuid).min(1, 'must name at least one household').max(MAX_SUPPLIERS),
});
