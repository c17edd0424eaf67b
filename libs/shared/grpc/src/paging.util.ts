import { z } from 'zod';

/** Page size used when a request leaves `pageSize` at 0. */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest page size a list RPC accepts. */
export const MAX_PAGE_SIZE = 100;

/**
 * Page request as it arrives on a list RPC (0 means default), validated and resolved to a 1-based
 * page number, a page size, and the offset and limit a repository queries with.
 */
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

/** A validated page request, see `pageSchema`. */
export type Page = z.infer<typeof pageSchema>;
