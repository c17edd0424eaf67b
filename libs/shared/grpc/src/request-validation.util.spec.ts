import { ValidationFailed } from '@yugong/shared/errors';
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageSchema } from './paging.util';
import { parseRequest } from './request-validation.util';

describe(parseRequest.name, () => {
  const sut = (input: unknown) => parseRequest(z.object({ id: z.string().uuid(), page: pageSchema }), input);

  it('returns the parsed request, with an unset page resolved to defaults', () => {
    const id = '2f1c9c1e-6a52-4d0e-9a43-0c5f0a8b1d2e';
    expect(sut({ id, page: null })).toEqual({
      id,
      page: { page: 1, pageSize: DEFAULT_PAGE_SIZE, offset: 0, limit: DEFAULT_PAGE_SIZE },
    });
    expect(sut({ id, page: { page: 3, pageSize: 10 } }).page).toEqual({
      page: 3,
      pageSize: 10,
      offset: 20,
      limit: 10,
    });
  });

  it('names every bad field and why', () => {
    try {
      sut({ id: 'nope', page: { page: -1, pageSize: MAX_PAGE_SIZE + 1 } });
      throw new Error('expected ValidationFailed');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationFailed);
      const fields = (error as ValidationFailed).fields?.map((f) => f.field);
      expect(fields).toEqual(['id', 'page.page', 'page.pageSize']);
    }
  });
});
