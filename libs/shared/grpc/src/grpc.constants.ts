/** Metadata keys every Yugong gRPC call may carry. */
export const MetadataKey = {
  /** Correlates the logs of one user request across services. */
  requestId: 'x-request-id',
  /** The end user on whose behalf a service calls (JSON, see `encodeCaller`). */
  caller: 'x-caller',
  /** The shared service credential; calls without it are refused. */
  serviceToken: 'x-service-token',
} as const;

// The loader settings belong to the contracts they load; re-exported for existing importers.
export { PROTO_LOADER_OPTIONS } from '@yugong/contracts';
