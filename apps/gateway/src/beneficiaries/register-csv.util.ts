import { beneficiaries } from '@yugong/contracts';
import { ValidationFailed, type FieldError } from '@yugong/shared/errors';

export const HOUSEHOLD_STATUSES = ['registered', 'exited', 'monitored_edge', 'monitored_unstable'] as const;
export const AGREEMENT_KINDS = ['employment', 'dividend', 'supply', 'land_lease'] as const;

type CellKind = 'text' | 'int32' | 'fen' | 'status' | 'kind';

/**
 * The columns of a register file, in the order of the sample file, with what each cell holds.
 * A file names its columns in its first line; any order, and only the ones it uses.
 */
export const REGISTER_COLUMNS = {
  archiveNumber: 'text',
  headName: 'text',
  nationalId: 'text',
  members: 'int32',
  townNameZh: 'text',
  villageNameZh: 'text',
  villageId: 'text',
  status: 'status',
  exitYear: 'int32',
  baselineIncomeFen: 'fen',
  payoutAccount: 'text',
  producerId: 'text',
  agreementKind: 'kind',
  agreementWeight: 'int32',
  agreementEffectiveFrom: 'text',
  agreementEffectiveTo: 'text',
} as const satisfies Record<string, CellKind>;

export type RegisterColumn = keyof typeof REGISTER_COLUMNS;

const REQUIRED: RegisterColumn[] = ['archiveNumber', 'headName', 'nationalId', 'members'];
const INT32_MAX = 2_147_483_647;
/** Sent for a row the gateway already refused: beneficiaries refuses it too, so a strict import stays unwritten. */
const REFUSED_MEMBERS = -1;

/** `archive_number`, `Archive Number` and `archiveNumber` name the same column. */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const COLUMN_OF_NAME = new Map<string, RegisterColumn>(
  (Object.keys(REGISTER_COLUMNS) as RegisterColumn[]).map((c) => [normalized(c), c]),
);

/**
 * The columns named by a file's first line, in file order.
 *
 * @throws ValidationFailed naming each unknown, repeated or missing column
 */
export function parseHeader(cells: string[]): RegisterColumn[] {
  const errors: FieldError[] = [];
  const columns: RegisterColumn[] = [];
  cells.forEach((cell, index) => {
    const column = COLUMN_OF_NAME.get(normalized(cell));
    if (!column) {
      errors.push({
        field: cell || `column ${index + 1}`,
        reason: `is not a register column (line 1); columns are ${Object.keys(REGISTER_COLUMNS).join(', ')}`,
      });
    } else if (columns.includes(column)) {
      errors.push({ field: column, reason: 'is named twice (line 1)' });
    } else {
      columns.push(column);
    }
  });
  for (const column of REQUIRED) {
    if (!columns.includes(column)) {
      errors.push({ field: column, reason: 'is a required column (line 1)' });
    }
  }
  if (
    !columns.includes('villageId') &&
    !(columns.includes('townNameZh') && columns.includes('villageNameZh'))
  ) {
    errors.push({
      field: 'villageNameZh',
      reason: 'the village needs a column: villageId, or townNameZh and villageNameZh (line 1)',
    });
  }
  if (errors.length > 0) {
    throw new ValidationFailed(errors, 'The first line of the file must name register columns');
  }
  return columns;
}

/** A row of the file as it goes to beneficiaries, and what the gateway already found wrong with it. */
export interface ConvertedRow {
  row: beneficiaries.ImportRow;
  errors: FieldError[];
}

function emptyRow(line: number): beneficiaries.ImportRow {
  return {
    line,
    archiveNumber: '',
    headName: '',
    nationalId: '',
    members: 0,
    villageId: '',
    townNameZh: '',
    villageNameZh: '',
    status: beneficiaries.HouseholdStatus.HOUSEHOLD_STATUS_UNSPECIFIED,
    exitYear: 0,
    baselineIncome: undefined,
    payoutAccount: '',
    producerId: '',
    agreementKind: beneficiaries.AgreementKind.AGREEMENT_KIND_UNSPECIFIED,
    agreementWeight: 0,
    agreementEffectiveFrom: '',
    agreementEffectiveTo: '',
  };
}

function wholeNumber(cell: string, max: number): number | undefined {
  if (!/^[+-]?\d{1,16}$/.test(cell)) {
    return undefined;
  }
  const value = Number(cell);
  return Number.isSafeInteger(value) && Math.abs(value) <= max ? value : undefined;
}

/**
 * Converts the cells of one data row. Types are checked here (a whole number, a known status);
 * every rule of the register is checked by beneficiaries. A row with a type error still goes to
 * beneficiaries, with members -1, so that it refuses the row too and a strict import writes nothing.
 */
export function convertRow(cells: string[], columns: RegisterColumn[], line: number): ConvertedRow {
  const row = emptyRow(line);
  const errors: FieldError[] = [];
  if (cells.length !== columns.length) {
    errors.push({
      field: '(row)',
      reason: `has ${cells.length} fields, the first line names ${columns.length} columns`,
    });
  }
  columns.forEach((column, index) => {
    const cell = cells[index] ?? '';
    if (cell === '') {
      return;
    }
    switch (column) {
      case 'members':
      case 'exitYear':
      case 'agreementWeight': {
        const value = wholeNumber(cell, INT32_MAX);
        if (value === undefined) {
          errors.push({ field: column, reason: 'must be a whole number' });
        } else {
          row[column] = value;
        }
        return;
      }
      case 'baselineIncomeFen': {
        const fen = wholeNumber(cell, Number.MAX_SAFE_INTEGER);
        if (fen === undefined) {
          errors.push({ field: column, reason: 'must be a whole number of fen (1 yuan = 100 fen)' });
        } else {
          row.baselineIncome = { fen, currency: 'CNY' };
        }
        return;
      }
      case 'status': {
        const status = cell.toLowerCase();
        if ((HOUSEHOLD_STATUSES as readonly string[]).includes(status)) {
          row.status = `HOUSEHOLD_STATUS_${status.toUpperCase()}` as beneficiaries.HouseholdStatus;
        } else {
          errors.push({ field: column, reason: `must be one of ${HOUSEHOLD_STATUSES.join(', ')}` });
        }
        return;
      }
      case 'agreementKind': {
        const kind = cell.toLowerCase();
        if ((AGREEMENT_KINDS as readonly string[]).includes(kind)) {
          row.agreementKind = `AGREEMENT_KIND_${kind.toUpperCase()}` as beneficiaries.AgreementKind;
        } else {
          errors.push({ field: column, reason: `must be one of ${AGREEMENT_KINDS.join(', ')}` });
        }
        return;
      }
      case 'archiveNumber':
      case 'headName':
      case 'nationalId':
      case 'townNameZh':
      case 'villageNameZh':
      case 'villageId':
      case 'payoutAccount':
      case 'producerId':
      case 'agreementEffectiveFrom':
      case 'agreementEffectiveTo':
        row[column] = cell;
        return;
    }
  });
  if (errors.length > 0) {
    row.members = REFUSED_MEMBERS;
  }
  return { row, errors };
}

/** One refused row of an import report. */
export interface ImportRejectionJson {
  line: number;
  field: string;
  reason: string;
}

/** Wire field of a rejection → the column of the file that holds it. */
function columnOfField(field: string): string {
  return field === 'baselineIncome' || field.startsWith('baselineIncome.') ? 'baselineIncomeFen' : field;
}

/**
 * The rejections of beneficiaries and of the gateway as one list by line, named by column. For a
 * row the gateway refused, the gateway's reasons replace the `members` rejection it provoked and
 * whatever beneficiaries said of a cell the gateway could not read.
 */
export function mergeRejections(
  service: beneficiaries.ImportRejection[],
  gateway: Map<number, FieldError[]>,
): ImportRejectionJson[] {
  const superseded = (line: number, field: string) => {
    const errors = gateway.get(line);
    return errors !== undefined && (field === 'members' || errors.some((e) => e.field === field));
  };
  const merged: ImportRejectionJson[] = service
    .map((r) => ({ line: r.line, field: columnOfField(r.field), reason: r.reason }))
    .filter((r) => !superseded(r.line, r.field));
  for (const [line, errors] of gateway) {
    merged.push(...errors.map((e) => ({ line, field: e.field, reason: e.reason })));
  }
  return merged.sort((a, b) => a.line - b.line);
}

/**
 * The line a record starts on: csv-parse counts the line it ends on, and a quoted cell may span
 * several lines.
 */
export function startLine(endLine: number, cells: string[]): number {
  const breaks = cells.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
  return endLine - breaks;
}
