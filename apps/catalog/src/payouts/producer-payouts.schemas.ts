import { z } from 'zod';

const uuid = z.string({ message: 'is required' }).uuid('must be a UUID');

/** One line of text: a payee or a bank as the bank file carries it. */
const oneLine = (min: number, max: number) =>
  z
    .string({ message: 'is required' })
    .trim()
    .min(min, min === 1 ? 'is required' : `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !/[\r\n]/.test(s), 'must be one line');

export const setProducerPayoutAccountSchema = z.object({
  producerId: uuid,
  payeeName: oneLine(1, 100),
  // Chinese bank account numbers: 8 to 30 digits (spaces and dashes as typed are dropped).
  accountNumber: z
    .string({ message: 'is required' })
    .transform((s) => s.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{8,30}$/, 'must be 8 to 30 digits')),
  bankName: oneLine(2, 80),
});
export type SetProducerPayoutAccountInput = z.infer<typeof setProducerPayoutAccountSchema>;

export const getProducerPayoutAccountSchema = z.object({ producerId: uuid });

export const producerPayoutReadinessSchema = z.object({
  producerIds: z.array(uuid).max(10_000, 'at most 10000 producers').default([]),
});

export const renderProducerPayoutRowsSchema = z.object({
  batchId: uuid,
  lines: z
    .array(
      z.object({
        producerId: uuid,
        amountFen: z.number().int('must be whole fen').positive('must be positive'),
        reference: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'must be 1-40 letters, digits or -'),
      }),
    )
    .min(1, 'must hold at least one line')
    .max(10_000, 'at most 10000 lines'),
});
export type RenderProducerPayoutRowsInput = z.infer<typeof renderProducerPayoutRowsSchema>;
