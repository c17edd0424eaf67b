import fc from 'fast-check';
import { fromTimestamp, toTimestamp } from './timestamp.util';

describe(toTimestamp.name, () => {
  it('round-trips every millisecond instant, before and after 1970', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8_640_000_000_000, max: 8_640_000_000_000 }), (ms) => {
        const sut = toTimestamp(new Date(ms));
        expect(sut.nanos).toBeGreaterThanOrEqual(0);
        expect(fromTimestamp(sut)?.getTime()).toBe(ms);
      }),
    );
  });

  it('reads an unset timestamp as undefined', () => {
    expect(fromTimestamp(undefined)).toBeUndefined();
    expect(fromTimestamp(null)).toBeUndefined();
  });
});
