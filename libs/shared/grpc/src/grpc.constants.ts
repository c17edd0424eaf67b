/** Metadata keys every Yugong gRPC call may carry. */
export const MetadataKey = {
  /** Correlates the logs of one user request across services. */
  requestId: 'x-request-id',
  /** The end user on whose behalf a service calls (JSON, see `encodeCaller`). */
  caller: 'x-caller',
  /** The shared service credential; calls without it are refused. */
  serviceToken: 'x-service-token',
} as const;

/**
 * proto-loader settings that match what ts-proto generated: camelCase fields, int64 as number
 * (fen amounts stay far below 2^53), enums as their string names, defaults and empty arrays present.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
} as const;
