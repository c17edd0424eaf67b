import { z } from 'zod';

/** Page size used when a request leaves `pageSize` at 0. */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest page size a list RPC accepts. */
export const MAX_PAGE_SIZE = 100;
/**
 * Deepest row a page number may reach (page × pageSize). Past it OFFSET makes the database read
 * and drop every row before the page; lists that grow that long give a cursor instead.
 */
export const MAX_PAGE_DEPTH = 10_000;
/** Why a page past {@link MAX_PAGE_DEPTH} is refused, on the `page` field. */
export const PAGE_TOO_DEEP = `reaches past row ${MAX_PAGE_DEPTH}: follow nextCursor, or narrow the filter`;

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
    })
    .refine((p) => p.page * p.pageSize <= MAX_PAGE_DEPTH, { path: ['page'], message: PAGE_TOO_DEEP }),
);

/** A validated page request, see `pageSchema`. */
export type Page = z.infer<typeof pageSchema>;

/**
 * The opaque cursor of a keyset page: the sort keys of the last row a page returned. Callers pass
 * back the `nextCursor` they were given and never build one.
 */
export function encodeCursor(keys: readonly string[]): string {
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

/**
 * A `cursor` request field: '' for the first page, else one that {@link encodeCursor} made from
 * one sort key per entry of `keys`, each matching it (a pattern, or a check for what a pattern
 * cannot say, such as a real calendar date); resolved to those keys (undefined for '').
 */
export function cursorSchema(keys: readonly (RegExp | ((key: string) => boolean))[]) {
  const fits = (value: string, key: RegExp | ((key: string) => boolean)) =>
    typeof key === 'function' ? key(value) : key.test(value);
  return z
    .string()
    .max(1_024, 'is not a cursor this list gave')
    .default('')
    .transform((cursor, ctx) => {
      if (!cursor) {
        return undefined;
      }
      const values = decode(cursor);
      if (values?.length !== keys.length || !values.every((v, i) => fits(v, keys[i]))) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this list gave' });
        return z.NEVER;
      }
      return values;
    });
}

function decode(cursor: string): string[] | undefined {
  try {
    const keys: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(keys) && keys.every((k) => typeof k === 'string') ? keys : undefined;
  } catch {
    return undefined;
  }
}
