import { z } from 'zod';
import { idSchema } from './orders.schemas';

const text = (max: number) =>
  z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

export const shipSchema = z.object({
  orderId: idSchema,
  lineIds: z.array(idSchema).max(100, 'at most 100 lines').default([]),
  carrier: text(64),
  trackingNumber: text(64),
});

export const refundSchema = z.object({
  orderId: idSchema,
  lines: z
    .array(
      z.object({
        lineId: idSchema,
        quantity: z
          .number({ message: 'must be a number' })
          .int('must be a whole number')
          .min(1, 'must be positive'),
      }),
    )
    .max(100, 'at most 100 lines')
    .default([]),
  reason: text(500),
  goodsReturned: z.boolean().default(false),
  idempotencyKey: z
    .string()
    .regex(/^([\x21-\x7e]{8,128})?$/, 'must be 8 to 128 printable ASCII characters without spaces')
    .default(''),
});

/** ConfirmDelivery: the order by its id. */
export const confirmDeliverySchema = z.object({ orderId: idSchema });

/** ConfirmManualRefund: which refund, and the reference of the money paid back. */
export const manualRefundSchema = z.object({
  orderId: idSchema,
  refundId: idSchema,
  reference: text(128),
});
