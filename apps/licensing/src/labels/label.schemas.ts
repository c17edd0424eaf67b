import { z } from 'zod';
import { idSchema } from '../licences/licence.schemas';
import { MAX_BATCH_CODES } from './label-batch.entity';

export const orderBatchSchema = z.object({
  productId: idSchema,
  lotId: idSchema,
  quantity: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_BATCH_CODES, `must be at most ${MAX_BATCH_CODES}`),
});
export type OrderBatchInput = z.input<typeof orderBatchSchema>;

export const sheetSchema = z.object({
  batchId: idSchema,
  page: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(1),
  format: z
    .enum(['', 'svg', 'pdf'], { message: 'must be svg or pdf' })
    .default('')
    .transform((f) => f || 'svg'),
});
export type SheetInput = z.input<typeof sheetSchema>;

/** Entries of one batch of scans a gateway sends. */
export const MAX_SCAN_BATCH_ENTRIES = 10_000;

const countSchema = z
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be at least 0');

export const recordScansSchema = z.object({
  batchId: z.string().uuid('must be a UUID'),
  forgedScans: countSchema.default(0),
  scans: z
    .array(
      z
        .object({
          code: z.string().max(64, 'must be at most 64 characters'),
          clientNetwork: z.string().max(64, 'must be at most 64 characters').default(''),
          scans: countSchema.min(1, 'must be at least 1'),
          revokedScans: countSchema,
          lastScannedAt: z.date({ message: 'must be a time' }),
        })
        .refine((s) => s.revokedScans <= s.scans, { message: 'revokedScans must not exceed scans' }),
    )
    .max(MAX_SCAN_BATCH_ENTRIES, `must hold at most ${MAX_SCAN_BATCH_ENTRIES} entries`),
});
export type RecordScansInput = z.input<typeof recordScansSchema>;
