import { pageSchema } from '@yugong/shared/grpc';
import { z } from 'zod';
import { LICENCE_STATUSES } from './licence.entity';
import type { LicenceActionName } from './licence-state';

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_VALIDITY_MS = 5 * 366 * 86_400_000;
/** Highest commitment a licence may state, basis points of the unit price (30 %). */
export const MAX_COMMITMENT_BPS = 3_000;
/** Highest minimum per unit, fen (¥1,000). */
export const MAX_MIN_PER_UNIT_FEN = 100_000;

export const idSchema = z.string({ message: 'is required' }).uuid('must be a UUID');
export const byIdSchema = z.object({ id: idSchema });

/** The calendar date in China (UTC+8) of an instant. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` (00:00 that day in China) or an ISO 8601 date-time with an offset. */
const instantSchema = z.string({ message: 'is required' }).transform((value, ctx): Date => {
  const text = value.trim();
  const instant = DATE.test(text)
    ? new Date(Date.parse(`${text}T00:00:00Z`) - CHINA_OFFSET_MS)
    : DATE_TIME.test(text)
      ? new Date(text)
      : new Date(Number.NaN);
  if (Number.isNaN(instant.getTime()) || (DATE.test(text) && chinaDate(instant) !== text)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset',
    });
    return z.NEVER;
  }
  return instant;
});

const money = z
  .object({
    fen: z.number({ message: 'must be a number' }).int('must be whole fen').min(0, 'must not be negative'),
    currency: z
      .string()
      .regex(/^(CNY)?$/, 'must be CNY')
      .default('CNY'),
  })
  .nullish();

export const applySchema = z
  .object({
    producerId: idSchema,
    productIds: z
      .array(idSchema, { message: 'must be a list of product ids' })
      .min(1, 'must name at least one product')
      .max(50, 'must name at most 50 products')
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a product'),
    commitmentBps: z
      .number({ message: 'must be a number' })
      .int('must be whole basis points')
      .min(0, 'must not be negative')
      .max(MAX_COMMITMENT_BPS, `must be at most ${MAX_COMMITMENT_BPS}`),
    minPerUnit: money,
    note: z.string().trim().max(2_000, 'must be at most 2000 characters').default(''),
  })
  .transform(({ minPerUnit, ...rest }) => ({ ...rest, minPerUnitFen: minPerUnit?.fen ?? 0 }))
  .superRefine((req, ctx) => {
    if (req.minPerUnitFen > MAX_MIN_PER_UNIT_FEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['minPerUnit'],
        message: `must be at most ${MAX_MIN_PER_UNIT_FEN} fen`,
      });
    } else if (req.commitmentBps === 0 && req.minPerUnitFen === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['commitmentBps'],
        message: 'a commitment is required: commitmentBps or minPerUnit above zero',
      });
    }
  });
export type ApplyInput = z.input<typeof applySchema>;

const ACTIONS: Record<string, LicenceActionName> = {
  LICENCE_ACTION_APPROVE: 'approve',
  LICENCE_ACTION_REJECT: 'reject',
  LICENCE_ACTION_SUSPEND: 'suspend',
  LICENCE_ACTION_REINSTATE: 'reinstate',
  LICENCE_ACTION_REVOKE: 'revoke',
};

/** An officer's move: a reason for all but approval; a period, ending in the future, for approval. */
export function changeStatusSchema(now: Date) {
  return z
    .object({
      id: idSchema,
      action: z
        .string()
        .refine((a) => a in ACTIONS, `must be one of ${Object.values(ACTIONS).join(', ')}`)
        .transform((a) => ACTIONS[a]!),
      reason: z.string().trim().max(500, 'must be at most 500 characters').default(''),
      validFrom: z.string().default(''),
      validTo: z.string().default(''),
    })
    .transform((req, ctx) => {
      if (req.action !== 'approve') {
        if (req.reason === '') {
          ctx.addIssue({ code: 'custom', path: ['reason'], message: `is required to ${req.action}` });
        }
        return { id: req.id, action: req.action, reason: req.reason, validFrom: null, validTo: null };
      }
      const from = instantSchema.safeParse(req.validFrom);
      const to = instantSchema.safeParse(req.validTo);
      if (!from.success) {
        ctx.addIssue({ code: 'custom', path: ['validFrom'], message: from.error.issues[0]!.message });
      }
      if (!to.success) {
        ctx.addIssue({ code: 'custom', path: ['validTo'], message: to.error.issues[0]!.message });
      }
      if (!from.success || !to.success) {
        return z.NEVER;
      }
      if (to.data.getTime() <= from.data.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be after validFrom' });
      } else if (to.data.getTime() <= now.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be in the future' });
      } else if (to.data.getTime() - from.data.getTime() > MAX_VALIDITY_MS) {
        ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be within 5 years of validFrom' });
      }
      return { id: req.id, action: req.action, reason: req.reason, validFrom: from.data, validTo: to.data };
    });
}
export type ChangeStatusInput = z.input<ReturnType<typeof changeStatusSchema>>;

const STATUS_NAMES: Record<string, (typeof LICENCE_STATUSES)[number] | undefined> = {
  LICENCE_STATUS_UNSPECIFIED: undefined,
  ...Object.fromEntries(LICENCE_STATUSES.map((s) => [`LICENCE_STATUS_${s.toUpperCase()}`, s])),
};

export const listSchema = z.object({
  page: pageSchema,
  producerId: z.union([z.literal(''), idSchema]).default(''),
  productId: z.union([z.literal(''), idSchema]).default(''),
  status: z
    .string()
    .default('LICENCE_STATUS_UNSPECIFIED')
    .refine((s) => s in STATUS_NAMES, `must be one of ${LICENCE_STATUSES.join(', ')}`)
    .transform((s) => STATUS_NAMES[s]),
});
export type ListInput = z.input<typeof listSchema>;

export const termsSchema = z.object({
  productIds: z
    .array(idSchema, { message: 'must be a list of product ids' })
    .min(1, 'must name at least one product')
    .max(100, 'must name at most 100 products'),
});
