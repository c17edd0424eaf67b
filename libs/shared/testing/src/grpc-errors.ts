import { status, type ServiceError } from '@grpc/grpc-js';

/** A field at fault, as the services send it in the `x-error-fields` trailer. */
export interface ErrorField {
  field: string;
  reason: string;
}

/** The machine-readable part of a gRPC error. */
export interface ErrorDetails {
  /** The UPPER_SNAKE code of the `x-error-code` trailer, when the server sent one. */
  code: string | undefined;
  /** The fields of the `x-error-fields` trailer; empty when it sent none. */
  fields: ErrorField[];
}

/** Reads the error code and the fields at fault that the services put in an error's trailers. */
export function errorDetails(error: ServiceError): ErrorDetails {
  const code = error.metadata.get('x-error-code')[0];
  const fields = error.metadata.get('x-error-fields')[0];
  return {
    code: code === undefined ? undefined : String(code),
    fields: fields === undefined ? [] : (JSON.parse(String(fields)) as ErrorField[]),
  };
}

/** The names of the fields at fault in `error`, in the order the server sent them. */
export function errorFieldNames(error: ServiceError): string[] {
  return errorDetails(error).fields.map((f) => f.field);
}

/**
 * Awaits a call that must fail and returns its error. With `expected`, also asserts the failure:
 * a number is the gRPC status, a string the error code (`x-error-code`).
 *
 * @throws Error when the call succeeds
 */
export async function expectRejection(
  call: Promise<unknown>,
  expected?: status | string,
): Promise<ServiceError> {
  try {
    await call;
  } catch (caught) {
    const error = caught as ServiceError;
    if (typeof expected === 'number') {
      expect(error.code).toBe(expected);
    } else if (expected !== undefined) {
      expect(errorDetails(error).code).toBe(expected);
    }
    return error;
  }
  throw new Error('expected the call to fail');
}
