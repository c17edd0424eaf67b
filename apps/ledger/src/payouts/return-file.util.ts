import { parse } from 'csv-parse/sync';
import { ValidationFailed } from '@yugong/shared/errors';

const REFERENCE_COLUMNS = ['reference', 'ref', 'payment_reference', '参考号', '附言'];

/**
 * The references a bank's return file lists as failed: a CSV (UTF-8, a BOM is fine) whose header
 * names a `reference` column; every row is a failed line. A file without that column, or a row
 * without a reference, is refused naming the line.
 */
export function failedReferencesOf(file: Uint8Array): string[] {
  let rows: string[][];
  try {
    rows = parse(Buffer.from(file), {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    });
  } catch (error) {
    throw new ValidationFailed([{ field: 'returnFile', reason: `is not CSV: ${(error as Error).message}` }]);
  }
  const header = (rows[0] ?? []).map((h) => h.toLowerCase().replace(/\s+/g, '_'));
  const col = header.findIndex((h) => REFERENCE_COLUMNS.includes(h));
  if (col < 0) {
    throw new ValidationFailed([
      { field: 'returnFile', reason: 'must have a header line naming a `reference` column' },
    ]);
  }
  return rows.slice(1).map((row, i) => {
    const ref = row[col] ?? '';
    if (ref === '') {
      throw new ValidationFailed([{ field: 'returnFile', reason: `line ${i + 2} has no reference` }]);
    }
    return ref;
  });
}
