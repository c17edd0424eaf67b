import { ValidationFailed, type FieldError } from '@yugong/shared/errors';
import type { z } from 'zod';

/** Input as it arrives from the wire: any field may be missing or of the wrong type until parsed. */
export type Loose<T> = { [K in keyof T]?: unknown };

/** Parses `input` with `schema`, or throws ValidationFailed naming every bad field and why. */
export function parseRequest<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  const fields: FieldError[] = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(request)',
    reason: issue.message,
  }));
  throw new ValidationFailed(fields);
}
