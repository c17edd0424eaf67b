import { ValidationFailed } from '@yugong/shared/errors';
import { NoNulPipe, nulFields } from './no-nul.pipe';

describe(NoNulPipe.name, () => {
  const sut = new NoNulPipe();

  it('names every nested field that holds a NUL', () => {
    expect(nulFields({ memo: 'a\u0000', lines: [{ note: 'ok' }, { note: '\u0000' }], n: 3 })).toEqual([
      { field: 'memo', reason: 'must not contain the NUL character' },
      { field: 'lines.1.note', reason: 'must not contain the NUL character' },
    ]);
  });

  it('refuses a body, a query parameter and a path parameter with the field named', () => {
    const refusal = (value: unknown, type: 'body' | 'query' | 'param', data?: string) => {
      try {
        sut.transform(value, { type, data });
      } catch (error) {
        return error instanceof ValidationFailed ? (error.fields ?? []).map((f) => f.field) : error;
      }
      return 'accepted';
    };
    expect(refusal({ memo: 'x\u0000y' }, 'body')).toEqual(['memo']);
    expect(refusal('\u0000', 'body')).toEqual(['body']);
    expect(refusal({ q: '\u0000' }, 'query')).toEqual(['q']);
    expect(refusal('\u0000', 'query', 'q')).toEqual(['q']);
    expect(refusal('ab\u0000', 'param', 'id')).toEqual(['id']);
    expect(refusal({ memo: '兔肉', n: 1, ok: null }, 'body')).toBe('accepted');
  });
});
