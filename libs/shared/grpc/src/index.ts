export * from './grpc.constants';
export * from './grpc-server.util';
export * from './grpc-context.interceptor';
export * from './grpc-metadata.util';
export * from './service-client';
export * from './paging.util';
export * from './request-validation.util';
export * from './timestamp.util';
