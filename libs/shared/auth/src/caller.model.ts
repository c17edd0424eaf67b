import { z } from 'zod';

/** The roles of DESIGN.md §5, from the public buyer to the administrator. */
export const ROLES = [
  'consumer',
  'institution',
  'producer_staff',
  'relief_officer',
  'auditor',
  'admin',
] as const;

/**
 * What a signed-in user may do in general. `producer_staff` is further scoped to its producers;
 * `auditor` reads everything and writes nothing.
 */
export type Role = (typeof ROLES)[number];

/**
 * Who is calling: the signed-in user, their role and (for `producer_staff`) the producers they act
 * for. An anonymous caller is `null`, never a fake identity, so "nobody" cannot be mistaken for a
 * user with an empty id.
 */
export interface CallerIdentity {
  /** The user's id. */
  userId: string;
  /** The user's role. */
  role: Role;
  /** The producers a `producer_staff` user acts for; empty for every other role. */
  producerIds: string[];
}

/**
 * Whether a value is one of {@link ROLES}.
 *
 * @param value - anything, e.g. a role read from a token
 */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

const ID = z.string().min(1).max(128);

/** The exact shape of a {@link CallerIdentity}, with no other keys. */
export const callerIdentitySchema: z.ZodType<CallerIdentity> = z.strictObject({
  userId: ID,
  role: z.enum(ROLES),
  producerIds: z.array(ID).max(1000),
});
