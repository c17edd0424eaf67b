import { z } from 'zod';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Page request as it arrives (0 means default), validated. */
// An unset message field arrives as null from proto-loader: treat it as "defaults".
export const pageSchema = z.preprocess(
  (value) => value ?? undefined,
  z
    .object({
      page: z.number().int().min(0, 'must be 1 or more').max(1_000_000).default(0),
      pageSize: z.number().int().min(0).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`).default(0),
    })
    .default({ page: 0, pageSize: 0 })
    .transform(({ page, pageSize }) => {
      const size = pageSize || DEFAULT_PAGE_SIZE;
      const number = page || 1;
      return { page: number, pageSize: size, offset: (number - 1) * size, limit: size };
    }),
);

export type Page = z.infer<typeof pageSchema>;
