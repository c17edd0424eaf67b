import { status } from '@grpc/grpc-js';
import { DomainError } from '@yugong/shared/errors';

/** Catalog could not be asked within the deadline: UNAVAILABLE, nothing changed here. */
export class CatalogUnavailable extends DomainError {
  readonly kind = 'unavailable';

  constructor() {
    super('CATALOG_UNAVAILABLE', 'the catalogue cannot be reached; nothing was ordered, try again');
  }
}

/** True for the gRPC codes that mean "could not be asked", as opposed to "said no". */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED;
}
