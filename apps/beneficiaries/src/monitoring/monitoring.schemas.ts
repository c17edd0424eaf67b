import { pageSchema } from '@yugong/shared/grpc';
import { z } from 'zod';
import { CASE_STATUSES } from './monitoring-case.entity';

const optionalUuid = z.union([z.literal(''), z.uuid('must be a UUID')]).default('');

export const listCasesSchema = z.object({
  page: pageSchema,
  townId: optionalUuid,
  villageId: optionalUuid,
  status: z
    .union([z.literal(''), z.enum(CASE_STATUSES, { message: `must be one of ${CASE_STATUSES.join(', ')}` })])
    .default(''),
});

export const refreshCasesSchema = z.object({ asOf: z.date().optional() });

/** Longest visit note. */
export const MAX_NOTE_LENGTH = 2_000;

export const updateCaseSchema = z
  .object({
    id: z.uuid('must be a UUID'),
    status: z.enum(['visited', 'closed'], { message: 'must be visited or closed' }),
    note: z
      .string()
      .max(MAX_NOTE_LENGTH, `must be at most ${MAX_NOTE_LENGTH} characters`)
      .transform((s) => s.trim())
      .default(''),
  })
  .refine((q) => q.status !== 'visited' || q.note !== '', {
    path: ['note'],
    message: 'is required for a visit',
  });
