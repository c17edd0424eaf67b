import { z } from 'zod';

const uuid = z.string({ message: 'is required' }).uuid('must be a UUID');

export const setPayoutAccountSchema = z.object({
  householdId: uuid,
  payeeName: z
    .string({ message: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(60, 'must be at most 60 characters')
    .refine((s) => !/[\r\n]/.test(s), 'must be one line'),
  // Chinese bank card and account numbers: 8 to 30 digits (spaces and dashes as typed are dropped).
  accountNumber: z
    .string({ message: 'is required' })
    .transform((s) => s.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{8,30}$/, 'must be 8 to 30 digits')),
  bankName: z
    .string({ message: 'is required' })
    .trim()
    .min(2, 'must be at least 2 characters')
    .max(80, 'must be at most 80 characters')
    .refine((s) => !/[\r\n]/.test(s), 'must be one line'),
});
export type SetPayoutAccountInput = z.infer<typeof setPayoutAccountSchema>;

export const getPayoutAccountSchema = z.object({
  householdId: uuid,
  purpose: z.string().trim().max(200, 'must be at most 200 characters').default(''),
  masked: z.boolean().default(false),
});

export const payoutReadinessSchema = z.object({
  householdIds: z.array(uuid).max(10_000, 'at most 10000 households').default([]),
});

export const renderPayoutFileSchema = z.object({
  batchId: uuid,
  lines: z
    .array(
      z.object({
        householdId: uuid,
        amountFen: z.number().int('must be whole fen').positive('must be positive'),
        reference: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'must be 1-40 letters, digits or -'),
      }),
    )
    .min(1, 'must hold at least one line')
    .max(10_000, 'at most 10000 lines'),
});
export type RenderPayoutFileInput = z.infer<typeof renderPayoutFileSchema>;
