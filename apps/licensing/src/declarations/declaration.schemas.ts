import { pageSchema } from '@yugong/shared/grpc';
import { z } from 'zod';
import { parseQuarter } from './quarter.util';

const uuid = z.string({ message: 'is required' }).uuid('must be a UUID');
const optionalUuid = z.union([z.literal(''), uuid]).default('');
const quarter = z
  .string({ message: 'is required' })
  .trim()
  .refine((q) => parseQuarter(q) !== undefined, 'must be a quarter, YYYY-Qn (e.g. 2020-Q3)');
/** Most units and revenue one quarter's declaration may state (¥10 billion). */
export const MAX_DECLARED_REVENUE_FEN = 1_000_000_000_000;
export const MAX_DECLARED_UNITS = 1_000_000_000;

export const declareSchema = z.object({
  licenceId: uuid,
  quarter,
  units: z
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(MAX_DECLARED_UNITS, `must be at most ${MAX_DECLARED_UNITS}`),
  revenueFen: z
    .number({ message: 'must be whole fen' })
    .int('must be whole fen')
    .min(0, 'must not be negative')
    .max(MAX_DECLARED_REVENUE_FEN, `must be at most ${MAX_DECLARED_REVENUE_FEN}`),
  note: z.string().trim().max(2_000, 'must be at most 2000 characters').default(''),
});
export type DeclareInput = z.input<typeof declareSchema>;

export const listDeclarationsSchema = z.object({
  page: pageSchema,
  licenceId: optionalUuid,
  producerId: optionalUuid,
  quarter: z.union([z.literal(''), quarter]).default(''),
});
export type ListDeclarationsInput = z.input<typeof listDeclarationsSchema>;

export const recordPaymentSchema = z.object({
  declarationId: uuid,
  amountFen: z
    .number({ message: 'must be whole fen' })
    .int('must be whole fen')
    .min(1, 'must be above zero')
    .max(MAX_DECLARED_REVENUE_FEN, `must be at most ${MAX_DECLARED_REVENUE_FEN}`),
  reference: z.string().trim().max(200, 'must be at most 200 characters').default(''),
  idempotencyKey: z
    .string({ message: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(200, 'must be at most 200 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
});
export type RecordPaymentInput = z.input<typeof recordPaymentSchema>;
