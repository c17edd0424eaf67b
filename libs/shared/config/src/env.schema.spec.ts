import { z } from 'zod';

import { env } from './env.schema';

/** Parses one variable `V` with `schema`, returning the value or the first issue's message. */
function read(schema: z.ZodType, value: string | undefined): unknown {
  const result = z.object({ V: schema }).safeParse(value === undefined ? {} : { V: value });
  return result.success ? result.data.V : `! ${result.error.issues[0]?.message}`;
}

describe('env', () => {
  const sut = env;

  it.each([
    ['8080', 8080],
    ['0', 0],
    ['65535', 65535],
    ['65536', '! must be a port number 0..65535'],
    ['-1', '! must be a port number 0..65535'],
    ['80.5', '! must be a port number 0..65535'],
    ['1e3', '! must be a port number 0..65535'],
    [undefined, 3000],
    [' ', 3000],
  ])('port reads %p as %p', (value, expected) => {
    expect(read(sut.port(3000), value)).toEqual(expected);
  });

  it('port without a default requires the variable', () => {
    expect(read(sut.port(), undefined)).toMatch(/^!/);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
    [undefined, false],
    ['on', '! must be true, false, 1, 0, yes or no'],
  ])('bool reads %p as %p', (value, expected) => {
    expect(read(sut.bool(false), value)).toEqual(expected);
  });

  it.each([
    ['42', 42],
    ['-7', '! must be an integer 0..100'],
    ['101', '! must be an integer 0..100'],
    ['x', '! must be an integer 0..100'],
  ])('int with bounds reads %p as %p', (value, expected) => {
    expect(read(sut.int(undefined, { min: 0, max: 100 }), value)).toEqual(expected);
  });

  it('int without bounds reads any safe integer', () => {
    expect(read(sut.int(), '-12')).toBe(-12);
    expect(read(sut.int(), '99999999999999999')).toBe('! must be an integer');
  });

  it('url reads absolute URLs, optionally of given schemes', () => {
    expect(read(sut.url(), 'redis://localhost:6379')).toBe('redis://localhost:6379');
    expect(read(sut.url(), 'localhost:6379')).toMatch(/^! must be a URL/);
    expect(read(sut.url({ protocols: ['http', 'https'] }), 'ftp://x')).toBe('! must be a http or https URL');
    expect(read(sut.url({ fallback: 'http://127.0.0.1:3000' }), undefined)).toBe('http://127.0.0.1:3000');
  });

  it('secret requires a minimum length and has no default', () => {
    expect(read(sut.secret(4), 'abcd')).toBe('abcd');
    expect(read(sut.secret(4), 'abc')).toBe('! must be at least 4 characters');
    expect(read(sut.secret(4), undefined)).toMatch(/^!/);
  });

  it('string requires a non-blank value unless it has a default', () => {
    expect(read(sut.string(), 'catalog')).toBe('catalog');
    expect(read(sut.string(), '')).toMatch(/^!/);
    expect(read(sut.string('gateway'), '')).toBe('gateway');
  });

  it('enum reads one of its words', () => {
    expect(read(sut.enum(['a', 'b'], 'a'), 'b')).toBe('b');
    expect(read(sut.enum(['a', 'b'], 'a'), undefined)).toBe('a');
    expect(read(sut.enum(['a', 'b']), 'c')).toBe('! must be one of a, b');
  });

  it('list splits on commas, trimming and dropping blanks', () => {
    expect(read(sut.list(), 'a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(read(sut.list(['x', 'y']), undefined)).toEqual(['x', 'y']);
  });

  it('optional gives undefined when unset or blank, and still validates a value', () => {
    const schema = sut.optional(sut.secret(8));
    expect(read(schema, undefined)).toBeUndefined();
    expect(read(schema, '')).toBeUndefined();
    expect(read(schema, 'short')).toBe('! must be at least 8 characters');
    expect(read(schema, 'long enough')).toBe('long enough');
  });
});
