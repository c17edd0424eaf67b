import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { errorCodes as fastifyErrors } from 'fastify';

import { unavailableStore } from './store-unavailable.util';
import { DomainError, type FieldError } from './domain.errors';
import { errorSummary } from './error-summary.util';
import { grpcStatusOf, httpStatusOfGrpc } from './grpc-status.util';
import { fromRpcError, INTERNAL_ERROR_MESSAGE, unavailableMessage } from './rpc-error.util';

/** The JSON body of every error answer of the gateway. */
export interface HttpErrorBody {
  /** UPPER_SNAKE code clients can branch on, e.g. `PRODUCT_NOT_FOUND`. */
  error: string;
  /** Human-readable explanation. */
  message: string;
  /** The inputs at fault, when there are any. */
  fields?: FieldError[];
}

/** An HTTP status with the body to send. */
export interface HttpErrorResponse {
  /** HTTP status code. */
  status: number;
  /** JSON body. */
  body: HttpErrorBody;
}

const INTERNAL: HttpErrorResponse = {
  status: 500,
  body: { error: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE },
};

/** Codes that use the platform's words rather than HTTP's reason phrases. */
const CODE_OF_HTTP_STATUS: Readonly<Partial<Record<number, string>>> = {
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  409: 'CONFLICT',
};

/** Messages for 5xx answers, so no internal address or detail leaks from a failed upstream call. */
const GENERIC_MESSAGE_OF_HTTP_STATUS: Readonly<Partial<Record<number, string>>> = {
  503: 'Service unavailable',
  504: 'Upstream service timed out',
};

/** Fastify's own body-parsing errors, by code, with the code the gateway answers. */
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Nest turns a Fastify error into `new HttpException(err.message, err.statusCode)` before any
 * filter sees it, which drops Fastify's code; the message is all that identifies it.
 */
const FASTIFY_CODE_OF_MESSAGE: ReadonlyMap<string, string> = new Map(
  Object.keys(FASTIFY_CODES).map((code) => [
    new fastifyErrors[code as keyof typeof fastifyErrors]().message,
    FASTIFY_CODES[code] as string,
  ]),
);

/** What a Fastify parsing error is about: the body, or the content type it came in. */
const FIELD_OF_FASTIFY_CODE: Readonly<Record<string, string>> = {
  PAYLOAD_TOO_LARGE: 'body',
  MALFORMED_JSON: 'body',
  UNSUPPORTED_MEDIA_TYPE: 'content-type',
};

/** A Fastify parsing error's answer, naming the part of the request it refused. */
function fastifyBody(error: string, message: string): HttpErrorBody {
  const field = FIELD_OF_FASTIFY_CODE[error];
  return field ? { error, message, fields: [{ field, reason: message }] } : { error, message };
}

function codeOfHttpStatus(status: number): string {
  return CODE_OF_HTTP_STATUS[status] ?? (HttpStatus[status] as string | undefined) ?? `HTTP_${status}`;
}

/** `"price.fen must be an integer"` (the default ValidationPipe's format) → field and reason. */
function fieldOfMessage(message: string): FieldError {
  const space = message.indexOf(' ');
  return space > 0
    ? { field: message.slice(0, space), reason: message.slice(space + 1) }
    : { field: '', reason: message };
}

function fromHttpException(exception: HttpException): HttpErrorResponse {
  const status = exception.getStatus();
  if (status >= 500 && status !== 503 && status !== 504) {
    return INTERNAL;
  }
  const response = exception.getResponse();
  const raw =
    typeof response === 'string'
      ? response
      : ((response as { message?: unknown }).message ?? exception.message);
  if (Array.isArray(raw) && raw.every((m): m is string => typeof m === 'string')) {
    return {
      status,
      body: { error: 'VALIDATION_FAILED', message: 'Validation failed', fields: raw.map(fieldOfMessage) },
    };
  }
  const message = typeof raw === 'string' ? raw : exception.message;
  return {
    status,
    body: fastifyBody(FASTIFY_CODE_OF_MESSAGE.get(message) ?? codeOfHttpStatus(status), message),
  };
}

function fromFastifyError(exception: unknown): HttpErrorResponse | undefined {
  if (!(exception instanceof Error)) {
    return undefined;
  }
  const { statusCode, code, message } = exception as Error & { statusCode?: unknown; code?: unknown };
  if (
    typeof statusCode !== 'number' ||
    typeof code !== 'string' ||
    !code.startsWith('FST_') ||
    statusCode < 400 ||
    statusCode >= 500
  ) {
    return undefined;
  }
  return {
    status: statusCode,
    body: fastifyBody(FASTIFY_CODES[code] ?? codeOfHttpStatus(statusCode), message),
  };
}

/**
 * The HTTP answer for anything thrown while serving a request.
 *
 * - {@link DomainError}: its code, message and fields, with the status of its kind;
 * - a gRPC error from a service call: its code, message and fields, with the status of
 *   {@link httpStatusOfGrpc} (5xx answers get a generic message);
 * - a Nest `HttpException`: its status; a default `ValidationPipe` message list becomes fields;
 * - Fastify's parsing errors: 413 `PAYLOAD_TOO_LARGE`, 400 `MALFORMED_JSON` (field `body`), 415
 *   `UNSUPPORTED_MEDIA_TYPE` (field `content-type`);
 * - the gateway's own database or Redis out of reach: 503 `UNAVAILABLE`, "gateway database
 *   unavailable" (a 503 from a service names what it found out of reach the same way);
 * - anything else: 500 `INTERNAL` with a generic message.
 *
 * @param exception - what was thrown
 */
export function toHttpError(exception: unknown): HttpErrorResponse {
  if (exception instanceof DomainError) {
    if (exception.kind === 'internal') {
      return INTERNAL;
    }
    const body: HttpErrorBody = { error: exception.code, message: exception.message };
    if (exception.fields && exception.fields.length > 0) {
      body.fields = exception.fields;
    }
    return { status: httpStatusOfGrpc(grpcStatusOf(exception.kind)), body };
  }
  const rpc = fromRpcError(exception);
  if (rpc) {
    const status = httpStatusOfGrpc(rpc.status);
    if (status === 503) {
      // What could not answer, as the services named it (`orders database unavailable`).
      return { status, body: { error: rpc.code, message: unavailableMessage(rpc.unavailable) } };
    }
    if (status >= 500) {
      const message = GENERIC_MESSAGE_OF_HTTP_STATUS[status];
      return message ? { status, body: { error: rpc.code, message } } : INTERNAL;
    }
    return {
      status,
      body: { error: rpc.code, message: rpc.message, ...(rpc.fields ? { fields: rpc.fields } : {}) },
    };
  }
  if (exception instanceof HttpException) {
    return fromHttpException(exception);
  }
  const store = unavailableStore(exception);
  if (store) {
    // Only the gateway answers HTTP: its own database or Redis.
    return { status: 503, body: { error: 'UNAVAILABLE', message: unavailableMessage(`gateway ${store}`) } };
  }
  return fromFastifyError(exception) ?? INTERNAL;
}

/**
 * Exception filter for the HTTP gateway: answers every error with JSON
 * `{ error, message, fields? }` and the status chosen by {@link toHttpError}. Answers of 500 and
 * above are logged (message only).
 *
 * Register with `app.useGlobalFilters(new HttpErrorFilter(app.get(HttpAdapterHost)))` or as an
 * `APP_FILTER` provider.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  /** @param adapterHost - gives the HTTP adapter (Fastify or Express) used to reply */
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Replies to the request with the mapped status and JSON body. */
  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body } = toHttpError(exception);
    if (status >= 500) {
      this.logger.error(errorSummary(exception));
    }
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status);
  }
}
