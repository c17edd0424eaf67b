import fc from 'fast-check';
import { certifySchema } from './certification.schemas';

const NOW = new Date('2026-12-02T09:00:00Z');
const PRODUCT = '00000000-0000-4000-8000-000000000001';

describe(certifySchema.name, () => {
  const sut = certifySchema(NOW);
  const fields = (input: object) =>
    sut.safeParse({ productId: PRODUCT, ...input }).error?.issues.map((i) => i.path.join('.')) ?? [];

  it('reads a date as 00:00 that day in China and a date-time by its offset', () => {
    const period = sut.parse({
      productId: PRODUCT,
      validFrom: '2026-12-01',
      validTo: '2027-12-01T12:00:00+08:00',
    });
    expect(period.validFrom.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(period.validTo.toISOString()).toBe('2027-12-01T04:00:00.000Z');
  });

  it('names the field of a date that is not one', () => {
    expect(fields({ validFrom: '2027-02-30', validTo: '2028-01-01' })).toEqual(['validFrom']);
    expect(fields({ validFrom: '2027-01-01', validTo: 'next year' })).toEqual(['validTo']);
    expect(fields({ validFrom: '2027-01-01T00:00', validTo: '2028-01-01' })).toEqual(['validFrom']);
  });

  it('refuses a period that is empty, over, or longer than 10 years', () => {
    expect(fields({ validFrom: '2027-01-01', validTo: '2027-01-01' })).toEqual(['validTo']);
    expect(fields({ validFrom: '2020-01-01', validTo: '2026-12-01' })).toEqual(['validTo']);
    expect(fields({ validFrom: '2026-01-01', validTo: '2036-12-31' })).toEqual(['validTo']);
  });

  it('accepts exactly the periods that end after they begin and after now', () => {
    const day = 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: -3_000, max: 3_000 }),
        fc.integer({ min: -3_000, max: 3_000 }),
        (from, to) => {
          const validFrom = new Date(NOW.getTime() + from * day).toISOString();
          const validTo = new Date(NOW.getTime() + to * day).toISOString();
          const ok = sut.safeParse({ productId: PRODUCT, validFrom, validTo }).success;
          expect(ok).toBe(to > from && to > 0 && to - from <= 3_660);
        },
      ),
    );
  });
});
