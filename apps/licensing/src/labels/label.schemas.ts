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
