import { status } from '@grpc/grpc-js';

import type { ErrorKind } from './domain.errors';
import { grpcStatusName, grpcStatusOf, httpStatusOfGrpc } from './grpc-status.util';

describe(grpcStatusOf.name, () => {
  const sut = grpcStatusOf;

  it.each<[ErrorKind, status]>([
    ['invalid_argument', status.INVALID_ARGUMENT],
    ['not_found', status.NOT_FOUND],
    ['already_exists', status.ALREADY_EXISTS],
    ['failed_precondition', status.FAILED_PRECONDITION],
    ['permission_denied', status.PERMISSION_DENIED],
    ['unauthenticated', status.UNAUTHENTICATED],
    ['resource_exhausted', status.RESOURCE_EXHAUSTED],
    ['unavailable', status.UNAVAILABLE],
    ['deadline_exceeded', status.DEADLINE_EXCEEDED],
    ['internal', status.INTERNAL],
  ])('maps %p to gRPC status %p', (kind, grpc) => {
    expect(sut(kind)).toBe(grpc);
  });
});

describe(httpStatusOfGrpc.name, () => {
  const sut = httpStatusOfGrpc;

  it.each([
    [status.INVALID_ARGUMENT, 400],
    [status.NOT_FOUND, 404],
    [status.ALREADY_EXISTS, 409],
    [status.FAILED_PRECONDITION, 409],
    [status.PERMISSION_DENIED, 403],
    [status.UNAUTHENTICATED, 401],
    [status.RESOURCE_EXHAUSTED, 429],
    [status.UNAVAILABLE, 503],
    [status.DEADLINE_EXCEEDED, 504],
    [status.INTERNAL, 500],
    [status.UNKNOWN, 500],
    [status.OK, 500],
    [status.CANCELLED, 500],
    [status.DATA_LOSS, 500],
    [99, 500],
  ])('maps gRPC status %p to HTTP %p', (grpc, http) => {
    expect(sut(grpc)).toBe(http);
  });
});

describe(grpcStatusName.name, () => {
  it('names a status, and UNKNOWN for a number that is none', () => {
    expect(grpcStatusName(status.NOT_FOUND)).toBe('NOT_FOUND');
    expect(grpcStatusName(99)).toBe('UNKNOWN');
  });
});
