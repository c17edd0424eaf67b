import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ValidationFailed, type FieldError } from '@yugong/shared/errors';

const REASON = 'must not contain the NUL character';

/** Every path in `value` whose string holds U+0000, dotted as the validation errors are. */
export function nulFields(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? [{ field: path, reason: REASON }] : [];
  }
  if (value === null || typeof value !== 'object') {
    return [];
  }
  return Object.entries(value).flatMap(([key, inner]) => nulFields(inner, path ? `${path}.${key}` : key));
}

/**
 * Refuses a request whose body, query or path holds a NUL character anywhere, naming the field.
 * PostgreSQL's text can't store one, so no service could keep it; without this, a free-text field a
 * service does not check further (a memo) reached the database and failed there as a 500.
 */
@Injectable()
export class NoNulPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') {
      return value;
    }
    const fields = nulFields(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
    if (fields.length > 0) {
      throw new ValidationFailed(fields.map((f) => ({ ...f, field: f.field || metadata.type })));
    }
    return value;
  }
}
