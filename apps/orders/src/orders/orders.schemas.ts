import { cursorSchema, pageSchema } from '@yugong/shared/grpc';
import { z } from 'zod';
import { ORDER_STATUSES, PAYMENT_METHODS } from './order.entity';
import { validate as isUuid } from 'uuid';

/** Most a donation may be: ten thousand yuan. */
const MAX_DONATION_FEN = 1_000_000;

export const idSchema = z.string().uuid('must be a UUID');

/** GetOrder, CancelOrder: the order by its id. */
export const orderIdSchema = z.object({ id: idSchema });

export const checkoutSchema = z.object({
  idempotencyKey: z
    .string()
    .regex(/^[\x21-\x7e]{8,128}$/, 'must be 8 to 128 printable ASCII characters without spaces'),
  paymentMethod: z.enum(PAYMENT_METHODS, { message: 'must be stripe or manual' }),
  donationFen: z
    .number({ message: 'must be a number' })
    .int('must be a whole number of fen')
    .min(0, 'must not be negative')
    .max(MAX_DONATION_FEN, `must be at most ${MAX_DONATION_FEN}`)
    .default(0),
  roundUp: z.boolean().default(false),
});
export type CheckoutInput = z.input<typeof checkoutSchema>;
export type CheckoutRequest = z.infer<typeof checkoutSchema>;

/** A timestamptz as PostgreSQL prints it in ISO style, e.g. `2026-12-01 08:30:00.123456+00`. */
const TIMESTAMPTZ_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/** A timestamp as PostgreSQL writes it whose date and time exist (no month 13, no 30 February). */
function isTimestamptzText(text: string): boolean {
  if (!TIMESTAMPTZ_TEXT.test(text)) {
    return false;
  }
  const [y, mo, d, h, mi, sec] = text.split(/[- :.+]/).map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  return (
    at.getUTCFullYear() === y &&
    at.getUTCMonth() === mo - 1 &&
    at.getUTCDate() === d &&
    at.getUTCHours() === h &&
    at.getUTCMinutes() === mi &&
    at.getUTCSeconds() === sec
  );
}

export const listOrdersSchema = z.object({
  page: pageSchema,
  /** After this order: its created_at as PostgreSQL prints it, and its id. */
  cursor: cursorSchema([isTimestamptzText, isUuid]),
  status: z.union([z.literal(''), z.enum(ORDER_STATUSES)]).default(''),
});

export const manualPaymentSchema = z.object({
  orderId: idSchema,
  amountFen: z
    .number({ message: 'must be a number' })
    .int('must be a whole number of fen')
    .min(1, 'must be positive'),
  currency: z.string().transform((c) => c || 'CNY'),
  reference: z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters'),
});
