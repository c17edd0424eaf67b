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
});
export type CreateProducerInput = z.input<typeof createProducerSchema>;

export const idSchema = z.string().uuid('must be a UUID');
export const byIdSchema = z.object({ id: idSchema });
export const setStatusSchema = z.object({
  id: idSchema,
  status: z.enum(PRODUCER_STATUSES, { message: `must be one of ${PRODUCER_STATUSES.join(', ')}` }),
});
