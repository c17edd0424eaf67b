import { PermissionDenied, Unauthenticated } from '@yugong/shared/errors';

import type { CallerIdentity, Role } from './caller.model';

/**
 * Whether the caller runs the relief office: a `relief_officer` or an `admin`.
 *
 * @param caller - the caller, `null` when anonymous
 */
export function isOfficer(caller: CallerIdentity | null): boolean {
  return caller?.role === 'relief_officer' || caller?.role === 'admin';
}

/**
 * Whether the caller may read every record, personal data aside: officers, admins and auditors.
 *
 * @param caller - the caller, `null` when anonymous
 */
export function canReadAll(caller: CallerIdentity | null): boolean {
  return isOfficer(caller) || caller?.role === 'auditor';
}

/**
 * Whether the caller may act for a producer (edit its listings, lots, stock): an officer or admin,
 * or `producer_staff` whose producers include it. Auditors only read.
 *
 * @param caller - the caller, `null` when anonymous
 * @param producerId - the producer acted for
 */
export function canActForProducer(caller: CallerIdentity | null, producerId: string): boolean {
  return (
    isOfficer(caller) ||
    (caller?.role === 'producer_staff' && producerId !== '' && caller.producerIds.includes(producerId))
  );
}

/**
 * Requires a signed-in caller.
 *
 * @param caller - the caller, `null` when anonymous
 * @returns the caller
 * @throws Unauthenticated when anonymous
 */
export function requireCaller(caller: CallerIdentity | null): CallerIdentity {
  if (!caller) {
    throw new Unauthenticated();
  }
  return caller;
}

/**
 * Requires a signed-in caller with one of the roles.
 *
 * @param caller - the caller, `null` when anonymous
 * @param roles - the roles allowed
 * @returns the caller
 * @throws Unauthenticated when anonymous; PermissionDenied when the role is not allowed
 */
export function requireRole(caller: CallerIdentity | null, ...roles: Role[]): CallerIdentity {
  const known = requireCaller(caller);
  if (!roles.includes(known.role)) {
    throw new PermissionDenied(`requires the role ${roles.join(' or ')}`);
  }
  return known;
}

/**
 * Requires a caller who may act for the producer (see {@link canActForProducer}).
 *
 * @param caller - the caller, `null` when anonymous
 * @param producerId - the producer acted for
 * @returns the caller
 * @throws Unauthenticated when anonymous; PermissionDenied when the caller may not act for it
 */
export function requireProducerAccess(caller: CallerIdentity | null, producerId: string): CallerIdentity {
  const known = requireCaller(caller);
  if (!canActForProducer(known, producerId)) {
    throw new PermissionDenied('not allowed to act for this producer');
  }
  return known;
}
