import { z } from 'zod';
import { creditCodeProblem } from './credit-code.util';
import { PRODUCER_KINDS, PRODUCER_STATUSES } from './producer.entity';

const text = (max: number) =>
  z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

export const createProducerSchema = z.object({
  kind: z.enum(PRODUCER_KINDS, { message: `must be one of ${PRODUCER_KINDS.join(', ')}` }),
  legalName: text(200),
  creditCode: z
    .string()
    .trim()
    .toUpperCase()
    .superRefine((code, ctx) => {
      const problem = creditCodeProblem(code);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
  town: text(50),
  village: z.string().trim().max(50, 'must be at most 50 characters').default(''),
  householdShareBps: z
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be 0 or more')
    .max(10_000, 'must be at most 10000 (100%)'),
  documents: z.array(text(300), { message: 'must be a list' }).max(20, 'at most 20 documents').default([]),
});
export type CreateProducerInput = z.input<typeof createProducerSchema>;

export const idSchema = z.string().uuid('must be a UUID');
export const byIdSchema = z.object({ id: idSchema });
export const setStatusSchema = z.object({
  id: idSchema,
  status: z.enum(PRODUCER_STATUSES, { message: `must be one of ${PRODUCER_STATUSES.join(', ')}` }),
  reason: z.string().trim().max(500, 'must be at most 500 characters').default(''),
});

/** China Standard Time, UTC+8, all year: a date without a time is a date in Jiyuan. */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;
/** A moment up to this far back still means "now": the officer's clock and ours may differ. */
export const EFFECTIVE_NOW_TOLERANCE_MS = 5 * 60_000;
const MAX_AHEAD_MS = 10 * 366 * 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// An ISO 8601 date-time with seconds optional, fractions optional, and an explicit offset.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant a household share change takes effect, from `YYYY-MM-DD` (00:00 that day in China;
 * today means now) or an ISO 8601 date-time with an offset. Never in the past: a date-time up to
 * {@link EFFECTIVE_NOW_TOLERANCE_MS} old means now, an older one is refused.
 *
 * @param now - the service's clock
 */
export function effectiveFromSchema(now: Date) {
  return z.string({ message: 'is required' }).transform((value, ctx): Date => {
    const text = value.trim();
    const isDate = DATE.test(text);
    const instant = isDate
      ? new Date(Date.parse(`${text}T00:00:00Z`) - CHINA_OFFSET_MS)
      : DATE_TIME.test(text)
        ? new Date(text)
        : new Date(Number.NaN);
    // 2027-02-30 parses as 2 March: a real date reads back as itself.
    const realDate = Number.isNaN(instant.getTime()) || !isDate || chinaDate(instant) === text;
    if (Number.isNaN(instant.getTime()) || !realDate) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset',
      });
      return z.NEVER;
    }
    const startOfToday = Date.parse(`${chinaDate(now)}T00:00:00Z`) - CHINA_OFFSET_MS;
    const past = isDate
      ? instant.getTime() < startOfToday
      : instant.getTime() < now.getTime() - EFFECTIVE_NOW_TOLERANCE_MS;
    if (past) {
      ctx.addIssue({ code: 'custom', message: 'must not be in the past' });
      return z.NEVER;
    }
    if (instant.getTime() > now.getTime() + MAX_AHEAD_MS) {
      ctx.addIssue({ code: 'custom', message: 'must be within 10 years from now' });
      return z.NEVER;
    }
    return instant.getTime() < now.getTime() ? now : instant;
  });
}

/** The calendar date (YYYY-MM-DD) in China at an instant. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

export const basisPointsSchema = z
  .number({ message: 'must be a number' })
  .int('must be an integer')
  .min(0, 'must be 0 or more')
  .max(10_000, 'must be at most 10000 (100%)');

/** A relief officer's change of a producer's household share. */
export function setHouseholdShareSchema(now: Date) {
  return z.object({
    producerId: idSchema,
    basisPoints: basisPointsSchema,
    effectiveFrom: effectiveFromSchema(now),
    reason: text(500),
  });
}
export type SetHouseholdShareInput = z.input<ReturnType<typeof setHouseholdShareSchema>>;
