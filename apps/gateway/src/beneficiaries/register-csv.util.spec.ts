import { ValidationFailed } from '@yugong/shared/errors';
import { convertRow, mergeRejections, parseHeader, startLine } from './register-csv.util';

describe(parseHeader.name, () => {
  it('reads camelCase, snake_case and spaced column names in any order', () => {
    const sut = parseHeader(['Head Name', 'archive_number', 'nationalId', 'MEMBERS', 'village_id']);
    expect(sut).toEqual(['headName', 'archiveNumber', 'nationalId', 'members', 'villageId']);
  });

  it('names every unknown, repeated and missing column', () => {
    let error: unknown;
    try {
      parseHeader(['archiveNumber', 'colour', 'archive_number', 'townNameZh']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).fields?.map((f) => f.field)).toEqual([
      'colour',
      'archiveNumber',
      'headName',
      'nationalId',
      'members',
      'villageNameZh',
    ]);
  });
});

describe(convertRow.name, () => {
  const columns = parseHeader([
    'archiveNumber',
    'headName',
    'nationalId',
    'members',
    'villageId',
    'status',
    'baselineIncomeFen',
    'agreementKind',
  ]);

  it('maps cells to the wire row: numbers, lower-case enums, fen as money', () => {
    const sut = convertRow(
      ['JY-1', '王小波', '410881', '4', 'v', 'Exited', '3800000', 'land_lease'],
      columns,
      7,
    );
    expect(sut.errors).toEqual([]);
    expect(sut.row).toMatchObject({
      line: 7,
      archiveNumber: 'JY-1',
      members: 4,
      status: 'HOUSEHOLD_STATUS_EXITED',
      baselineIncome: { fen: 3_800_000, currency: 'CNY' },
      agreementKind: 'AGREEMENT_KIND_LAND_LEASE',
    });
  });

  it('refuses unreadable cells, and marks the row so that beneficiaries refuses it too', () => {
    const sut = convertRow(['JY-1', '王小波', '410881', '4', 'v', 'poor', '12.5'], columns, 3);
    expect(sut.errors.map((e) => e.field)).toEqual(['(row)', 'status', 'baselineIncomeFen']);
    expect(sut.row.members).toBe(-1);
  });
});

describe(mergeRejections.name, () => {
  it('puts the gateway reasons in place of what they provoked, by line, with file column names', () => {
    const sut = mergeRejections(
      [
        { line: 4, field: 'members', reason: 'must be at least 1' },
        { line: 4, field: 'agreementWeight', reason: 'must be a positive integer' },
        { line: 4, field: 'nationalId', reason: 'has a wrong check character' },
        { line: 2, field: 'baselineIncome.fen', reason: 'must not be negative' },
      ],
      new Map([[4, [{ field: 'agreementWeight', reason: 'must be a whole number' }]]]),
    );
    expect(sut).toEqual([
      { line: 2, field: 'baselineIncomeFen', reason: 'must not be negative' },
      { line: 4, field: 'nationalId', reason: 'has a wrong check character' },
      { line: 4, field: 'agreementWeight', reason: 'must be a whole number' },
    ]);
  });
});

describe(startLine.name, () => {
  it('counts back the line breaks inside quoted cells', () => {
    expect(startLine(9, ['a', 'b\nc', 'd\ne\nf'])).toBe(6);
    expect(startLine(9, ['a', 'b'])).toBe(9);
  });
});
