import { z } from 'zod';

const uuid = z.uuid('must be a UUID');

export const traceOrderSchema = z.object({ orderId: uuid });
export const traceLotSchema = z.object({ lotId: uuid });

export const INCOME_GROUPINGS = ['town', 'village', 'household', 'producer', 'product', 'month'] as const;

export const reliefIncomeSchema = z
  .object({
    groupBy: z.enum(INCOME_GROUPINGS, { message: `must be one of ${INCOME_GROUPINGS.join(', ')}` }),
    from: z.date().optional(),
    to: z.date().optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'must be after from' });
