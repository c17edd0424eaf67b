import { z } from 'zod';

/** ApplyPaymentEvent: one provider event, its signature already checked by the gateway. */
export const paymentEventSchema = z.object({
  eventId: z.string().trim().min(1, 'is required').max(255, 'must be at most 255 characters'),
  type: z.string().trim().min(1, 'is required').max(255, 'must be at most 255 characters'),
  paymentIntentId: z.string().max(255, 'must be at most 255 characters').default(''),
  orderId: z.union([z.literal(''), z.string().uuid('must be a UUID')]).default(''),
  amountFen: z.number().int('must be a whole number').min(0, 'must not be negative').default(0),
  currency: z.string().default(''),
  occurredAt: z.date().nullable().default(null),
  failureCode: z.string().max(255, 'must be at most 255 characters').default(''),
  refunds: z
    .array(
      z.object({
        id: z.string().min(1, 'is required'),
        amountFen: z.number().int().min(0).default(0),
        status: z.string().default(''),
      }),
    )
    .max(100, 'at most 100 refunds')
    .default([]),
});
export type PaymentEventInput = z.input<typeof paymentEventSchema>;
export type PaymentEventRequest = z.infer<typeof paymentEventSchema>;

/** ListProviderBalanceTransactions: one page of a period, `to` after `from`. */
export const balancePageSchema = z
  .object({
    from: z.date({ message: 'is required' }),
    to: z.date({ message: 'is required' }),
    startingAfter: z.string().max(255, 'must be at most 255 characters').default(''),
    limit: z.number().int().min(0).max(100, 'must be at most 100').default(0),
  })
  .refine((v) => v.to.getTime() > v.from.getTime(), { message: 'must be after from', path: ['to'] });
