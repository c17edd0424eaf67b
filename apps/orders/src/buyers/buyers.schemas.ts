import { z } from 'zod';
import { idSchema } from '../orders/orders.schemas';

export const MAX_ALLOWANCE_ORDERS = 1_000;
export const MAX_ALLOWANCE_UNITS = 1_000_000;

const count = (max: number) =>
  z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(max, `must be at most ${max}`);

/** SetBuyerAllowance. */
export const buyerAllowanceSchema = z.object({
  buyerId: idSchema,
  maxUnpaidOrders: count(MAX_ALLOWANCE_ORDERS),
  maxHeldUnits: count(MAX_ALLOWANCE_UNITS),
  expiresAt: z
    .date()
    .nullable()
    .refine((at) => at === null || at.getTime() > Date.now(), 'must be in the future'),
});
