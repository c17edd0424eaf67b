import { z } from 'zod';
import { RUN_POLICIES, RUN_STATES } from './distribution-run.entity';

const uuid = z.uuid('must be a UUID');
const optionalUuid = z.union([z.literal(''), uuid]).transform((v) => v || undefined);
export const HOUSEHOLD_STATUSES = ['registered', 'exited', 'monitored_edge', 'monitored_unstable'] as const;

export const proposeSchema = z
  .object({
    policy: z.enum(RUN_POLICIES, { message: `must be one of ${RUN_POLICIES.join(', ')}` }),
    townId: optionalUuid,
    villageId: optionalUuid,
    status: z
      .union([
        z.literal(''),
        z.enum(HOUSEHOLD_STATUSES, { message: `must be one of ${HOUSEHOLD_STATUSES.join(', ')}` }),
      ])
      .transform((v) => v || undefined),
    totalFen: z.number().int('must be whole fen').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER),
    allAvailable: z.boolean(),
    statusWeights: z.partialRecord(
      z.enum(HOUSEHOLD_STATUSES, { message: `must be one of ${HOUSEHOLD_STATUSES.join(', ')}` }),
      z.number().int('must be an integer').min(0, 'must not be negative').max(1_000, 'at most 1,000'),
    ),
    memo: z.string().trim().max(500, 'must be at most 500 characters'),
    idempotencyKey: z
      .string()
      .trim()
      .max(200, 'must be at most 200 characters')
      .transform((v) => v || undefined),
  })
  .superRefine((r, ctx) => {
    if (r.allAvailable && r.totalFen > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['totalFen'],
        message: 'give a total or all available, not both',
      });
    }
    if (!r.allAvailable && r.totalFen === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['totalFen'],
        message: 'must be positive unless all available is asked',
      });
    }
  });
export type ProposeInput = z.output<typeof proposeSchema>;

export const runIdSchema = z.object({ id: uuid });
export const decideSchema = z.object({
  id: uuid,
  reason: z.string().trim().min(1, 'is required').max(500, 'must be at most 500 characters'),
});
export const listRunsSchema = z.object({
  state: z
    .union([z.literal(''), z.enum(RUN_STATES, { message: `must be one of ${RUN_STATES.join(', ')}` })])
    .transform((v) => v || undefined),
});
