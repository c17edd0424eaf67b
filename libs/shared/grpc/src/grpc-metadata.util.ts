import { Metadata } from '@grpc/grpc-js';
import { decodeCaller, encodeCaller, type CallerIdentity } from '@yugong/shared/auth';
import { MetadataKey } from './grpc.constants';

/** The end user a call was made for, or null for an anonymous/public call. */
export function callerOf(metadata: Metadata | undefined): CallerIdentity | null {
  const value = metadata?.get(MetadataKey.caller)[0];
  return decodeCaller(typeof value === 'string' ? value : undefined);
}

/** The request id a call carries, if any. */
export function requestIdOf(metadata: Metadata | undefined): string | undefined {
  const value = metadata?.get(MetadataKey.requestId)[0];
  return typeof value === 'string' ? value : undefined;
}

/** Metadata for an outgoing internal call. */
export function outgoingMetadata(options: {
  serviceToken: string;
  caller?: CallerIdentity | null;
  requestId?: string;
}): Metadata {
  const metadata = new Metadata();
  metadata.set(MetadataKey.serviceToken, options.serviceToken);
  if (options.caller) {
    metadata.set(MetadataKey.caller, encodeCaller(options.caller));
  }
  if (options.requestId) {
    metadata.set(MetadataKey.requestId, options.requestId);
  }
  return metadata;
}
