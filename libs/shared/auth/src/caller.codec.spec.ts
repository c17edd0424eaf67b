import fc from 'fast-check';

import { decodeCaller, encodeCaller, serviceTokenMatches } from './caller.codec';
import { ROLES, type CallerIdentity } from './caller.model';

const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => s.length <= 128);
const callers: fc.Arbitrary<CallerIdentity> = fc.record({
  userId: id,
  role: fc.constantFrom(...ROLES),
  producerIds: fc.array(id, { maxLength: 5 }),
});

describe(encodeCaller.name, () => {
  it('round-trips every caller through decodeCaller, as ASCII', () => {
    fc.assert(
      fc.property(callers, (caller) => {
        const encoded = encodeCaller(caller);
        expect(encoded).toMatch(/^[ -~]*$/);
        expect(decodeCaller(encoded)).toEqual(caller);
      }),
    );
  });

  it('writes only the identity, not other properties of the object', () => {
    const caller = { userId: 'u', role: 'consumer', producerIds: [], token: 'x' } as CallerIdentity;

    expect(JSON.parse(encodeCaller(caller))).toEqual({ userId: 'u', role: 'consumer', producerIds: [] });
  });
});

describe(decodeCaller.name, () => {
  const sut = decodeCaller;

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['not JSON', '{userId: u}'],
    ['JSON null', 'null'],
    ['a JSON string', '"u-1"'],
    ['an array', '[]'],
    ['no role', '{"userId":"u","producerIds":[]}'],
    ['an unknown role', '{"userId":"u","role":"root","producerIds":[]}'],
    ['the anonymous role', '{"userId":"","role":"anonymous","producerIds":[]}'],
    ['an empty user id', '{"userId":"","role":"consumer","producerIds":[]}'],
    ['a numeric user id', '{"userId":1,"role":"consumer","producerIds":[]}'],
    ['producer ids not an array', '{"userId":"u","role":"producer_staff","producerIds":"p-1"}'],
    ['a non-string producer id', '{"userId":"u","role":"producer_staff","producerIds":[1]}'],
    ['an extra key', '{"userId":"u","role":"admin","producerIds":[],"admin":true}'],
    ['a __proto__ key', '{"userId":"u","role":"consumer","producerIds":[],"__proto__":{"role":"admin"}}'],
    ['a huge value', `{"userId":"${'u'.repeat(70_000)}","role":"consumer","producerIds":[]}`],
  ])('decodes %s as anonymous', (_, value) => {
    expect(sut(value)).toBeNull();
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (value) => {
        const result = sut(value);
        expect(result === null || ROLES.includes(result.role)).toBe(true);
      }),
    );
  });
});

describe(serviceTokenMatches.name, () => {
  const sut = serviceTokenMatches;

  it.each<[string | undefined, string, boolean]>([
    ['s3cret-service-token', 's3cret-service-token', true],
    ['s3cret-service-token', 's3cret-service-tokeN', false],
    ['s3cret', 's3cret-service-token', false],
    ['s3cret-service-token-and-more', 's3cret-service-token', false],
    [undefined, 's3cret-service-token', false],
    ['', 's3cret-service-token', false],
    ['', '', false],
  ])('compares %p with %p as %p', (presented, expected, result) => {
    expect(sut(presented, expected)).toBe(result);
  });
});
