import type { FormInstance } from 'antd';
import { ApiError } from '../api/client';

/**
 * Puts each field the API named next to the form field of that name (`fieldOf` maps an API field
 * to a form path when they differ); returns the message of whatever no form field took.
 */
export function showApiError(
  form: FormInstance,
  error: unknown,
  fieldOf: (apiField: string) => (string | number)[] | string | undefined = (f) =>
    f.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
): string | undefined {
  if (!(error instanceof ApiError)) {
    return error instanceof Error ? error.message : String(error);
  }
  const placed: { name: (string | number)[] | string; errors: string[] }[] = [];
  const unplaced: string[] = [];
  for (const { field, reason } of error.body.fields ?? []) {
    const name = fieldOf(field);
    const path = typeof name === 'string' ? [name] : name;
    if (path && form.getFieldInstance(path as never) !== undefined) {
      placed.push({ name: path, errors: [reason] });
    } else if (path && form.getFieldsValue(true) && hasPath(form.getFieldsValue(true), path)) {
      placed.push({ name: path, errors: [reason] });
    } else {
      unplaced.push(`${field}: ${reason}`);
    }
  }
  form.setFields(placed as never);
  if (placed.length > 0 && unplaced.length === 0) {
    return undefined;
  }
  return [error.message, ...unplaced].join(' · ');
}

function hasPath(values: unknown, path: (string | number)[]): boolean {
  let current = values;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in current)) {
      return false;
    }
    current = (current as Record<string | number, unknown>)[key];
  }
  return true;
}
