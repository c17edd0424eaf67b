import { status as GrpcStatus } from '@grpc/grpc-js';

import type { ErrorKind } from './domain.errors';

const GRPC_STATUS_OF_KIND: Readonly<Record<ErrorKind, GrpcStatus>> = {
  invalid_argument: GrpcStatus.INVALID_ARGUMENT,
  not_found: GrpcStatus.NOT_FOUND,
  already_exists: GrpcStatus.ALREADY_EXISTS,
  failed_precondition: GrpcStatus.FAILED_PRECONDITION,
  permission_denied: GrpcStatus.PERMISSION_DENIED,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  resource_exhausted: GrpcStatus.RESOURCE_EXHAUSTED,
  unavailable: GrpcStatus.UNAVAILABLE,
  deadline_exceeded: GrpcStatus.DEADLINE_EXCEEDED,
  internal: GrpcStatus.INTERNAL,
};

const HTTP_STATUS_OF_GRPC: Readonly<Partial<Record<number, number>>> = {
  [GrpcStatus.INVALID_ARGUMENT]: 400,
  [GrpcStatus.NOT_FOUND]: 404,
  [GrpcStatus.ALREADY_EXISTS]: 409,
  [GrpcStatus.FAILED_PRECONDITION]: 409,
  [GrpcStatus.PERMISSION_DENIED]: 403,
  [GrpcStatus.UNAUTHENTICATED]: 401,
  [GrpcStatus.RESOURCE_EXHAUSTED]: 429,
  [GrpcStatus.UNAVAILABLE]: 503,
  [GrpcStatus.DEADLINE_EXCEEDED]: 504,
};

/**
 * The gRPC status a service answers for a kind of failure.
 *
 * @param kind - the kind of a {@link DomainError}
 * @returns the `@grpc/grpc-js` status number
 */
export function grpcStatusOf(kind: ErrorKind): GrpcStatus {
  return GRPC_STATUS_OF_KIND[kind];
}

/**
 * The HTTP status the gateway answers for a gRPC status (DESIGN.md §3): INVALID_ARGUMENT 400,
 * NOT_FOUND 404, ALREADY_EXISTS and FAILED_PRECONDITION 409, PERMISSION_DENIED 403,
 * UNAUTHENTICATED 401, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, DEADLINE_EXCEEDED 504, else 500.
 *
 * @param status - a gRPC status number
 */
export function httpStatusOfGrpc(status: number): number {
  return HTTP_STATUS_OF_GRPC[status] ?? 500;
}

/**
 * The UPPER_SNAKE name of a gRPC status (`5` → `NOT_FOUND`), used as the error code when a
 * status arrives without one of ours (e.g. UNAVAILABLE raised by the client library itself).
 *
 * @param status - a gRPC status number
 */
export function grpcStatusName(status: number): string {
  return GrpcStatus[status] ?? 'UNKNOWN';
}
