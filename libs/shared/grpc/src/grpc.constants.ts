/** Metadata keys every Yugong gRPC call may carry. */
export const MetadataKey = {
  /** Correlates the logs of one user request across services. */
  requestId: 'x-request-id',
  /**
   * The signed assertion of who calls, for which method and on whose behalf (see
   * `AssertionSigner`); calls without a valid one are refused.
   */
  assertion: 'x-service-assertion',
} as const;

// The loader settings belong to the contracts they load; re-exported for existing importers.
export { PROTO_LOADER_OPTIONS } from '@yugong/contracts';
