import { z } from 'zod';

/** ListEvents: the events after `afterId`, at most `limit` (0: 100). */
export const listEventsSchema = z.object({
  afterId: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .default(0),
  limit: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(500, 'must be at most 500')
    .transform((n) => n || 100),
});
