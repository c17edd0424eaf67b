import { Metadata } from '@grpc/grpc-js';
import type { CallerIdentity, VerifiedCall } from '@yugong/shared/auth';
import { Unauthenticated } from '@yugong/shared/errors';
import { MetadataKey } from './grpc.constants';

// Filled by GrpcCallerGuard once a call's assertion is verified: handlers read who called
// from here, never from metadata a caller could write.
const verifiedCalls = new WeakMap<Metadata, VerifiedCall>();

/** Records the verified identity of a call (GrpcCallerGuard only). */
export function recordVerifiedCall(metadata: Metadata, call: VerifiedCall): void {
  verifiedCalls.set(metadata, call);
}

/**
 * Who made a call and on whose behalf, as its verified assertion says.
 *
 * @throws Unauthenticated when the call was not verified (a handler outside the interceptor)
 */
export function callOf(metadata: Metadata | undefined): VerifiedCall {
  const call = metadata ? verifiedCalls.get(metadata) : undefined;
  if (!call) {
    throw new Unauthenticated('call was not verified');
  }
  return call;
}

/** The end user a call was made for, or null when made for nobody or by a service itself. */
export function callerOf(metadata: Metadata | undefined): CallerIdentity | null {
  return callOf(metadata).user;
}

/** The request id a call carries, if any. */
export function requestIdOf(metadata: Metadata | undefined): string | undefined {
  const value = metadata?.get(MetadataKey.requestId)[0];
  return typeof value === 'string' ? value : undefined;
}

/** Metadata for an outgoing internal call. */
export function outgoingMetadata(options: { assertion: string; requestId?: string }): Metadata {
  const metadata = new Metadata();
  metadata.set(MetadataKey.assertion, options.assertion);
  if (options.requestId) {
    metadata.set(MetadataKey.requestId, options.requestId);
  }
  return metadata;
}
