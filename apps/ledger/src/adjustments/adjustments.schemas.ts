import { z } from 'zod';

const uuid = z.uuid('must be a UUID');
const key = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const reason = z.string().trim().min(1, 'is required').max(500, 'must be at most 500 characters');

export const allocateSchema = z
  .object({
    producerId: uuid,
    households: z
      .array(
        z.object({
          householdId: uuid,
          weight: z
            .number()
            .int('must be an integer')
            .min(0, 'must not be negative')
            .max(1_000_000, 'at most 1,000,000'),
        }),
      )
      .min(1, 'name at least one household')
      .max(1_000, 'at most 1,000 households'),
    amountFen: z
      .number()
      .int('must be whole fen')
      .min(0, 'must not be negative')
      .max(Number.MAX_SAFE_INTEGER),
    idempotencyKey: key,
    reason,
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.households.forEach((h, i) => {
      if (seen.has(h.householdId)) {
        ctx.addIssue({ code: 'custom', path: ['households', i, 'householdId'], message: 'is named twice' });
      }
      seen.add(h.householdId);
    });
    // No weight anywhere means equal shares; some weights given means every one must count.
    if (r.households.some((h) => h.weight > 0) && r.households.some((h) => h.weight === 0)) {
      r.households.forEach((h, i) => {
        if (h.weight === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['households', i, 'weight'],
            message: 'must be positive when weights are given',
          });
        }
      });
    }
  });
export type AllocateInput = z.output<typeof allocateSchema>;

export const SETTLE_OUTCOMES = ['return', 'accept'] as const;

export const settleSchema = z.object({
  transactionId: uuid,
  outcome: z.enum(SETTLE_OUTCOMES, { message: 'must be return or accept' }),
  reason,
});
