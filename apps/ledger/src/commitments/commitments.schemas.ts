import { z } from 'zod';

const uuid = z.uuid('must be a UUID');
const fen = z
  .number()
  .int('must be whole fen')
  .min(1, 'must be above zero')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');
const when = z.date('is required');

export const postDeclaredSchema = z.object({
  declarationId: uuid,
  producerId: uuid,
  licenceId: uuid,
  licenceNumber: z.string().trim().min(1, 'is required').max(40, 'must be at most 40 characters'),
  quarter: z.string().regex(/^\d{4}-Q[1-4]$/, 'must be YYYY-Qn'),
  amountFen: fen,
  declaredAt: when,
});
export type PostDeclaredInput = z.infer<typeof postDeclaredSchema>;

export const settleDeclaredSchema = z.object({
  paymentId: uuid,
  declarationId: uuid,
  producerId: uuid,
  amountFen: fen,
  receivedAt: when,
  reference: z.string().trim().max(200, 'must be at most 200 characters'),
});
export type SettleDeclaredInput = z.infer<typeof settleDeclaredSchema>;
