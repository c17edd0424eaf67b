import fc from 'fast-check';
import { ValidationFailed } from '@yugong/shared/errors';
import { z } from 'zod';
import { cursorSchema, encodeCursor, MAX_PAGE_DEPTH, PAGE_TOO_DEEP, pageSchema } from './paging.util';
import { parseRequest } from './request-validation.util';

const fieldsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailed);
    return (error as ValidationFailed).fields;
  }
  throw new Error('expected ValidationFailed');
};

describe('pageSchema', () => {
  const sut = (page: unknown) => parseRequest(z.object({ page: pageSchema }), { page });

  it('takes a page that ends at row 10,000 and refuses the next, on page.page', () => {
    expect(sut({ page: 100, pageSize: 100 }).page.offset).toBe(MAX_PAGE_DEPTH - 100);
    expect(sut({ page: MAX_PAGE_DEPTH / 20, pageSize: 0 }).page.page).toBe(500);

    expect(fieldsOf(() => sut({ page: 101, pageSize: 100 }))).toEqual([
      { field: 'page.page', reason: PAGE_TOO_DEEP },
    ]);
    expect(fieldsOf(() => sut({ page: 501, pageSize: 0 }))).toEqual([
      { field: 'page.page', reason: PAGE_TOO_DEEP },
    ]);
  });
});

describe(cursorSchema.name, () => {
  const KEYS = [/^\d+$/, /^[a-z]+$/];
  const sut = (cursor: unknown) => parseRequest(z.object({ cursor: cursorSchema(KEYS) }), { cursor });

  it('reads back the keys it was made of; an empty cursor is the first page', () => {
    fc.assert(
      fc.property(fc.nat(), fc.stringMatching(/^[a-z]+$/), (n, word) => {
        expect(sut(encodeCursor([String(n), word])).cursor).toEqual([String(n), word]);
      }),
    );
    expect(sut('').cursor).toBeUndefined();
    expect(sut(undefined).cursor).toBeUndefined();
  });

  it('refuses on cursor anything it did not make: other keys, other shapes, not base64 JSON', () => {
    for (const forged of [
      encodeCursor(['1']),
      encodeCursor(['1', 'abc', 'x']),
      encodeCursor(['x', 'abc']),
      Buffer.from('{"a":1}').toString('base64url'),
      'not a cursor',
      'a'.repeat(2_000),
    ]) {
      expect(fieldsOf(() => sut(forged))?.map((f) => f.field)).toEqual(['cursor']);
    }
  });

  it('takes a check where a pattern cannot say it, and refuses what the check refuses', () => {
    const even = (key: string) => /^\d+$/.test(key) && Number(key) % 2 === 0;
    const check = (cursor: string) => parseRequest(z.object({ cursor: cursorSchema([even]) }), { cursor });

    expect(check(encodeCursor(['42'])).cursor).toEqual(['42']);
    expect(fieldsOf(() => check(encodeCursor(['41'])))?.map((f) => f.field)).toEqual(['cursor']);
  });
});
