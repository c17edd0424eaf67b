import { z } from 'zod';

/** Most entries one page of a statement holds. */
export const STATEMENT_MAX_LIMIT = 500;
export const STATEMENT_DEFAULT_LIMIT = 100;

export const householdStatementSchema = z
  .object({
    householdId: z.uuid('must be a UUID'),
    from: z.date().optional(),
    to: z.date().optional(),
    cursor: z.string().max(200, 'is not a cursor this service gave').default(''),
    limit: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be 1..500')
      .max(STATEMENT_MAX_LIMIT, 'must be 1..500')
      .transform((n) => (n === 0 ? STATEMENT_DEFAULT_LIMIT : n)),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'must be after from' });

export const incomeWindowsSchema = z.object({
  asOf: z.date().optional(),
  windowMonths: z
    .number()
    .int('must be a whole number')
    .min(0, 'must be 1..60')
    .max(60, 'must be 1..60')
    .transform((n) => (n === 0 ? 12 : n)),
});

export const producerBalanceSchema = z.object({ producerId: z.uuid('must be a UUID') });
