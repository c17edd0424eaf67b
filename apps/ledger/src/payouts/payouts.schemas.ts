import { z } from 'zod';
import { BATCH_STATES } from './payout-batch.entity';

const uuid = z.string({ message: 'is required' }).uuid('must be a UUID');

export const createBatchSchema = z.object({
  minimumFen: z
    .number({ message: 'is required' })
    .int('must be whole fen')
    .positive('must be more than 0 fen')
    .max(1_000_000_000_00, 'is too large'),
  memo: z.string().trim().max(200, 'must be at most 200 characters').default(''),
});

export const batchIdSchema = z.object({ id: uuid });

export const listBatchesSchema = z.object({
  state: z
    .union([z.literal(''), z.enum(BATCH_STATES, { message: `must be one of ${BATCH_STATES.join(', ')}` })])
    .default('')
    .transform((s) => s || undefined),
});

export const settleSchema = z.object({
  id: uuid,
  failedReferences: z
    .array(z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters'))
    .max(10_000, 'at most 10000 references')
    .default([]),
  returnFile: z
    .instanceof(Uint8Array)
    .optional()
    .refine((b) => !b || b.length <= 5 * 1024 * 1024, 'must be at most 5 MiB'),
});
