import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';

import { unavailableStore } from './store-unavailable.util';
import { DomainError, type FieldError } from './domain.errors';
import { grpcStatusName, grpcStatusOf } from './grpc-status.util';

/** Metadata key carrying the UPPER_SNAKE error code of a {@link DomainError}. */
export const ERROR_CODE_METADATA_KEY = 'x-error-code';

/** Metadata key carrying the JSON array of {@link FieldError} of a {@link DomainError}. */
export const ERROR_FIELDS_METADATA_KEY = 'x-error-fields';

/**
 * Metadata key naming what could not answer, for a 503 to say (`orders database`, `catalog
 * service`, `gateway cache`): the service and the kind of store only, never an address.
 */
export const UNAVAILABLE_METADATA_KEY = 'x-unavailable';

/** What {@link UNAVAILABLE_METADATA_KEY} may hold: a service and what of it is out of reach. */
const UNAVAILABLE_NAME = /^[a-z]+ (database|cache|service)$/;

/** The message a 503 gives: what is unavailable when known, else the generic one. */
export function unavailableMessage(what: string | undefined): string {
  return what !== undefined && UNAVAILABLE_NAME.test(what) ? `${what} unavailable` : UNAVAILABLE_MESSAGE;
}

/** The message sent for every error that is not a {@link DomainError}. */
export const INTERNAL_ERROR_MESSAGE = 'Internal error';
/** What a caller is told when the service's database could not be reached: try again. */
export const UNAVAILABLE_MESSAGE = 'Service unavailable';

/** Header values travel in HTTP/2 trailers; keep the field list well below grpc-js's 8 KiB limit. */
const MAX_FIELDS_JSON_LENGTH = 4096;

/**
 * What a gRPC server hands to grpc-js to end a call with an error: grpc-js reads `code`,
 * `details` (falling back to `message`) and `metadata` (sent as trailers). Also the shape of a
 * Nest `RpcException` payload.
 */
export interface RpcErrorPayload {
  /** gRPC status number. */
  code: GrpcStatus;
  /** Message for the caller. */
  message: string;
  /** Same as `message`; what grpc-js sends as `grpc-message`. */
  details: string;
  /** Trailers with {@link ERROR_CODE_METADATA_KEY} and, when present, {@link ERROR_FIELDS_METADATA_KEY}. */
  metadata: Metadata;
}

/** A gRPC error as seen by a client, read back by {@link fromRpcError}. */
export interface RpcErrorInfo {
  /** gRPC status number. */
  status: number;
  /** The error code sent by the server, or the status name when it sent none. */
  code: string;
  /** The server's message (grpc `details`). */
  message: string;
  /** The fields at fault, when the server sent any. */
  fields?: FieldError[];
  /** For UNAVAILABLE: what could not answer (`orders database`), when a service said. */
  unavailable?: string;
}

/** JSON with every non-ASCII character escaped: metadata values must be printable ASCII. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** As many leading fields as fit in the metadata budget. */
function fieldsJson(fields: readonly FieldError[]): string {
  let kept = fields.length;
  let json = asciiJson(fields);
  while (json.length > MAX_FIELDS_JSON_LENGTH && kept > 0) {
    kept = Math.floor(kept / 2);
    json = asciiJson(fields.slice(0, kept));
  }
  return json;
}

/** An error of a gRPC call this service made that says the callee could not answer. */
function isUpstreamUnavailable(err: unknown): err is { code: GrpcStatus; metadata: Metadata } {
  const e = err as { code?: unknown; metadata?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.metadata instanceof Metadata &&
    (e.code === GrpcStatus.UNAVAILABLE || e.code === GrpcStatus.DEADLINE_EXCEEDED)
  );
}

/**
 * Turns anything thrown by a gRPC handler into the error grpc-js sends to the client.
 *
 * A {@link DomainError} keeps its status, message, code and fields. A lost database connection
 * becomes UNAVAILABLE, and an UNAVAILABLE or DEADLINE_EXCEEDED from a service this one called
 * stays what it was (the call may succeed when tried again). Anything else becomes INTERNAL with a
 * generic message: the original message and stack never reach the wire.
 *
 * @param err - what was thrown
 */
export function toRpcError(err: unknown): RpcErrorPayload {
  const metadata = new Metadata();
  if (err instanceof DomainError) {
    metadata.set(ERROR_CODE_METADATA_KEY, err.code);
    if (err.fields && err.fields.length > 0) {
      metadata.set(ERROR_FIELDS_METADATA_KEY, fieldsJson(err.fields));
    }
    return { code: grpcStatusOf(err.kind), message: err.message, details: err.message, metadata };
  }
  if (isUpstreamUnavailable(err)) {
    // A service this one called could not answer (its database down, or no answer in time): so
    // can't this one; the caller may try again.
    metadata.set(
      ERROR_CODE_METADATA_KEY,
      err.code === GrpcStatus.UNAVAILABLE ? 'UNAVAILABLE' : 'DEADLINE_EXCEEDED',
    );
    // Passed on: what the callee (or the client, for a callee that did not answer) named.
    const what = firstString(err.metadata, UNAVAILABLE_METADATA_KEY);
    if (what !== undefined && UNAVAILABLE_NAME.test(what)) {
      metadata.set(UNAVAILABLE_METADATA_KEY, what);
    }
    const message = unavailableMessage(what);
    return { code: err.code, message, details: message, metadata };
  }
  const store = unavailableStore(err);
  if (store) {
    // `database` or `cache`: the server that sends it names its service (see nameUnavailable).
    metadata.set(ERROR_CODE_METADATA_KEY, 'UNAVAILABLE');
    metadata.set(UNAVAILABLE_METADATA_KEY, store);
    const message = `${store} unavailable`;
    return { code: GrpcStatus.UNAVAILABLE, message, details: message, metadata };
  }
  metadata.set(ERROR_CODE_METADATA_KEY, 'INTERNAL');
  return {
    code: GrpcStatus.INTERNAL,
    message: INTERNAL_ERROR_MESSAGE,
    details: INTERNAL_ERROR_MESSAGE,
    metadata,
  };
}

/**
 * A gRPC server's error as it leaves `service`: a store {@link toRpcError} found out of reach
 * (`database`) is named as this service's (`orders database unavailable`). Anything else is
 * returned as it is.
 */
export function nameUnavailable(error: unknown, service: string): unknown {
  const payload = error as Partial<RpcErrorPayload> | null;
  if (payload?.code !== GrpcStatus.UNAVAILABLE || !(payload.metadata instanceof Metadata)) {
    return error;
  }
  const store = firstString(payload.metadata, UNAVAILABLE_METADATA_KEY);
  if (store !== 'database' && store !== 'cache') {
    return error;
  }
  const what = `${service} ${store}`;
  payload.metadata.set(UNAVAILABLE_METADATA_KEY, what);
  const message = unavailableMessage(what);
  return { ...payload, message, details: message };
}

/**
 * A client's failed call to `peer`: when the peer gave no answer of its own (the service is down,
 * the connection refused), it is named as what was unavailable (`orders service`), for the 503
 * that follows. Mutates the error's metadata; returns the error.
 */
export function namePeerUnavailable<E>(error: E, peer: string): E {
  const e = error as { code?: unknown; metadata?: unknown } | null;
  if (
    (e?.code === GrpcStatus.UNAVAILABLE || e?.code === GrpcStatus.DEADLINE_EXCEEDED) &&
    e.metadata instanceof Metadata &&
    e.metadata.get(UNAVAILABLE_METADATA_KEY).length === 0 &&
    e.metadata.get(ERROR_CODE_METADATA_KEY).length === 0
  ) {
    e.metadata.set(UNAVAILABLE_METADATA_KEY, `${peer} service`);
  }
  return error;
}

function isFieldError(value: unknown): value is FieldError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FieldError).field === 'string' &&
    typeof (value as FieldError).reason === 'string'
  );
}

function parseFields(json: string): FieldError[] | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) && parsed.every(isFieldError)
      ? parsed.map(({ field, reason }) => ({ field, reason }))
      : undefined;
  } catch {
    return undefined;
  }
}

function firstString(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads a grpc-js `ServiceError` (numeric `code`, `details`, `metadata`) received by a client.
 *
 * @param err - anything caught around a gRPC call
 * @returns the status, code, message and fields, or `undefined` when `err` is not a gRPC error
 */
export function fromRpcError(err: unknown): RpcErrorInfo | undefined {
  if (typeof err !== 'object' || err === null) {
    return undefined;
  }
  const { code, details, metadata } = err as { code?: unknown; details?: unknown; metadata?: unknown };
  if (typeof code !== 'number' || !Number.isInteger(code) || GrpcStatus[code] === undefined) {
    return undefined;
  }
  if (!(metadata instanceof Metadata)) {
    return undefined;
  }
  const fieldsValue = firstString(metadata, ERROR_FIELDS_METADATA_KEY);
  const fields = fieldsValue === undefined ? undefined : parseFields(fieldsValue);
  const unavailable = firstString(metadata, UNAVAILABLE_METADATA_KEY);
  return {
    status: code,
    code: firstString(metadata, ERROR_CODE_METADATA_KEY) ?? grpcStatusName(code),
    message: typeof details === 'string' ? details : grpcStatusName(code),
    ...(fields ? { fields } : {}),
    ...(unavailable !== undefined && UNAVAILABLE_NAME.test(unavailable) ? { unavailable } : {}),
  };
}
