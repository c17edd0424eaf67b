import { z } from 'zod';
import { idSchema } from '../producers/producer.schemas';

/** Largest quantity of one line; far above any real order, far below what a bigint holds. */
const MAX_LINE_QUANTITY = 100_000;
/** A hold lasts at most a day: checkout holds are minutes, an institution's transfer a few hours. */
const MAX_HOLD_MS = 24 * 3_600_000;

const lineQuantitySchema = z
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be positive')
  .max(MAX_LINE_QUANTITY, `must be at most ${MAX_LINE_QUANTITY}`);

const timestampSchema = z
  .object(
    { seconds: z.coerce.number().int(), nanos: z.coerce.number().int().default(0) },
    { message: 'is required' },
  )
  .transform((t) => new Date(t.seconds * 1_000 + Math.floor(t.nanos / 1e6)));

export const holdSchema = z
  .object({
    orderId: idSchema,
    lines: z
      .array(
        z.object({
          productId: idSchema,
          quantity: lineQuantitySchema,
        }),
        { message: 'must be a list' },
      )
      .min(1, 'must name at least one product')
      .max(100, 'at most 100 lines'),
    expiresAt: timestampSchema,
  })
  .superRefine((req, ctx) => {
    const seen = new Set<string>();
    req.lines.forEach((line, i) => {
      if (seen.has(line.productId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'productId'],
          message: 'appears twice; give each product once',
        });
      }
      seen.add(line.productId);
    });
    const ttl = req.expiresAt.getTime() - Date.now();
    if (ttl <= 0 || ttl > MAX_HOLD_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['expiresAt'],
        message: 'must be in the future, within 24 hours',
      });
    }
  });
export type HoldStockInput = z.input<typeof holdSchema>;
export type HoldStockRequest = z.output<typeof holdSchema>;

export const byOrderSchema = z.object({ orderId: idSchema });

export const restockSchema = z.object({
  restockId: z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters'),
  orderId: idSchema,
  productId: idSchema,
  quantity: lineQuantitySchema,
});
export type RestockInput = z.input<typeof restockSchema>;
