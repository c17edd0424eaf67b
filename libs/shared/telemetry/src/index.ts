export * from './telemetry.env';
export * from './tracing';
export * from './grpc-telemetry.util';
export * from './trace-context.util';
export * from './metrics-endpoint.util';
export * from './http-client-telemetry.util';
