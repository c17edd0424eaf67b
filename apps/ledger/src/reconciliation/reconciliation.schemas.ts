import { z } from 'zod';

/** Longest period one report covers. */
export const MAX_PERIOD_DAYS = 400;

export const reconciliationSchema = z
  .object({
    from: z.date({ message: 'is required' }),
    to: z.date({ message: 'is required' }),
  })
  .refine((q) => q.from < q.to, { path: ['to'], message: 'must be after from' })
  .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_PERIOD_DAYS * 86_400_000, {
    path: ['to'],
    message: `must be at most ${MAX_PERIOD_DAYS} days after from`,
  });
