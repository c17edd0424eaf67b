/**
 * The kinds of failure a service can report. Each maps to one gRPC status (see
 * {@link grpcStatusOf}); the gateway maps that status to HTTP. No HTTP number crosses gRPC.
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'permission_denied'
  | 'unauthenticated'
  | 'resource_exhausted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'internal';

/** One bad input: the dotted path of the field (e.g. `price.fen`) and why it is wrong. */
export interface FieldError {
  /** Dotted path of the field in the request, e.g. `lines.0.quantity`. */
  field: string;
  /** Why the value was refused, e.g. `must be an integer`. */
  reason: string;
}

/** Turns `benefitAgreement`, `benefit agreement` or `benefit-agreement` into `BENEFIT_AGREEMENT`. */
function upperSnake(words: string): string {
  return words
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toUpperCase();
}

/**
 * Base of every named failure of the platform. A domain names its own failures by extending one
 * of the ready subclasses (`class ProductNotFound extends NotFound`), so that one gRPC filter and
 * one gateway filter can map all of them.
 *
 * The `message` of a domain error is shown to the caller: it must not hold personal data or
 * internals.
 */
export abstract class DomainError extends Error {
  /** The kind of failure, which decides the gRPC and HTTP status. */
  abstract readonly kind: ErrorKind;

  /**
   * @param code - stable UPPER_SNAKE code clients can branch on, e.g. `PRODUCT_NOT_FOUND`
   * @param message - human-readable explanation, safe to show to the caller
   * @param fields - the inputs at fault, when there are any
   */
  protected constructor(
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that breaks the contract: status INVALID_ARGUMENT, HTTP 400, code `VALIDATION_FAILED`. */
export class ValidationFailed extends DomainError {
  /** @inheritDoc */
  readonly kind = 'invalid_argument';

  /**
   * @param fields - every field at fault with its reason
   * @param message - summary for the caller
   */
  constructor(fields: FieldError[], message = 'Validation failed') {
    super('VALIDATION_FAILED', message, fields);
  }
}

/** A named thing does not exist (or the caller may not know it does): code `<ENTITY>_NOT_FOUND`. */
export class NotFound extends DomainError {
  /** @inheritDoc */
  readonly kind = 'not_found';

  /**
   * @param entity - the domain word, e.g. `product` or `benefitAgreement`
   * @param id - the identifier that was looked up
   */
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${upperSnake(entity)}_NOT_FOUND`, `${entity} ${id} not found`);
  }
}

/** Creating something that already exists: code `<ENTITY>_ALREADY_EXISTS`, HTTP 409. */
export class AlreadyExists extends DomainError {
  /** @inheritDoc */
  readonly kind = 'already_exists';

  /**
   * @param entity - the domain word, e.g. `producer`
   * @param message - what clashed, e.g. `a producer with this credit code exists`
   * @param fields - the fields that clash
   */
  constructor(
    readonly entity: string,
    message: string,
    fields?: FieldError[],
  ) {
    super(`${upperSnake(entity)}_ALREADY_EXISTS`, message, fields);
  }
}

/** The request is valid but the state forbids it (licence expired, order already paid): HTTP 409. */
export class FailedPrecondition extends DomainError {
  /** @inheritDoc */
  readonly kind = 'failed_precondition';

  /**
   * @param code - UPPER_SNAKE code naming the rule, e.g. `LICENCE_EXPIRED`
   * @param message - explanation for the caller
   * @param fields - the fields involved, if any
   */
  constructor(code: string, message: string, fields?: FieldError[]) {
    super(code, message, fields);
  }
}

/** The caller is known but may not do this: code `PERMISSION_DENIED`, HTTP 403. */
export class PermissionDenied extends DomainError {
  /** @inheritDoc */
  readonly kind = 'permission_denied';

  /** @param message - explanation for the caller */
  constructor(message = 'Permission denied') {
    super('PERMISSION_DENIED', message);
  }
}

/** The caller is not (or no longer) authenticated: code `UNAUTHENTICATED`, HTTP 401. */
export class Unauthenticated extends DomainError {
  /** @inheritDoc */
  readonly kind = 'unauthenticated';

  /** @param message - explanation for the caller */
  constructor(message = 'Authentication required') {
    super('UNAUTHENTICATED', message);
  }
}
