// Errors in Stripe's shape, thrown by the route handlers and the parameter checks.

/** An answer in Stripe's error shape, thrown by the route handlers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: Record<string, unknown>,
    readonly store = true,
  ) {
    super(String(error['message']));
  }
}

export function invalidRequest(
  message: string,
  extra: Record<string, unknown> = {},
  store = false,
): ApiError {
  return new ApiError(400, { type: 'invalid_request_error', message, ...extra }, store);
}

export function missing(kind: string, id: string, param: string): ApiError {
  return new ApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param,
    message: `No such ${kind}: '${id}'`,
  });
}
