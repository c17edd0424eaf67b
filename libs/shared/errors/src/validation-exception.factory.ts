import type { ValidationError } from 'class-validator';

import { ValidationFailed, type FieldError } from './domain.errors';

/** The reason of one failed class-validator constraint, without the property name in front. */
function reasonOf(property: string, constraint: string, message: string): string {
  if (constraint === 'whitelistValidation') {
    return 'is not allowed';
  }
  for (const prefix of [`${property} `, `nested property ${property} `]) {
    if (message.startsWith(prefix)) {
      return message.slice(prefix.length);
    }
  }
  const each = `each value in ${property} `;
  return message.startsWith(each) ? `each value ${message.slice(each.length)}` : message;
}

/**
 * Flattens class-validator errors into one {@link FieldError} per failed constraint, with dotted
 * paths into nested objects and arrays (`price.fen`, `lines.0.quantity`).
 *
 * @param errors - what `validate()` or the `ValidationPipe` produced
 * @param parent - path of the object the errors belong to (for recursion)
 */
export function fieldErrorsOf(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      reason: reasonOf(error.property, constraint, message),
    }));
    return [...own, ...fieldErrorsOf(error.children ?? [], field)];
  });
}

/**
 * `exceptionFactory` for Nest's `ValidationPipe`: refuses the request with a
 * {@link ValidationFailed} naming every field and reason, e.g.
 * `{ field: 'price.fen', reason: 'must be an integer number' }`, and
 * `{ field: 'foo', reason: 'is not allowed' }` for a property the DTO does not declare (with
 * `whitelist: true, forbidNonWhitelisted: true`).
 *
 * @example `new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, exceptionFactory: validationExceptionFactory })`
 */
export function validationExceptionFactory(errors: ValidationError[]): ValidationFailed {
  return new ValidationFailed(fieldErrorsOf(errors));
}
