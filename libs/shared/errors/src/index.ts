export {
  type ErrorKind,
  type FieldError,
  DomainError,
  ValidationFailed,
  NotFound,
  AlreadyExists,
  FailedPrecondition,
  PermissionDenied,
  Unauthenticated,
} from './domain.errors';
export { grpcStatusOf, httpStatusOfGrpc, grpcStatusName } from './grpc-status.util';
export {
  type RpcErrorPayload,
  type RpcErrorInfo,
  ERROR_CODE_METADATA_KEY,
  ERROR_FIELDS_METADATA_KEY,
  INTERNAL_ERROR_MESSAGE,
  UNAVAILABLE_MESSAGE,
  UNAVAILABLE_METADATA_KEY,
  namePeerUnavailable,
  nameUnavailable,
  unavailableMessage,
  toRpcError,
  fromRpcError,
} from './rpc-error.util';
export { GrpcExceptionFilter } from './grpc-exception.filter';
export { isStoreUnavailable, unavailableStore } from './store-unavailable.util';
export {
  type HttpErrorBody,
  type HttpErrorResponse,
  HttpErrorFilter,
  toHttpError,
} from './http-error.filter';
export { fieldErrorsOf, validationExceptionFactory } from './validation-exception.factory';
