import { pageSchema } from '@yugong/shared/grpc';
import { z } from 'zod';

export const listVillagesSchema = z.object({
  townId: z
    .string()
    .default('')
    .refine((s) => s === '' || z.string().uuid().safeParse(s).success, 'must be a UUID'),
  registeredPoorOnly: z.boolean().default(false),
  page: pageSchema,
});
