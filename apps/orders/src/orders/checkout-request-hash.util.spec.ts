import fc from 'fast-check';
import { checkoutRequestHash } from './checkout-request-hash.util';

describe(checkoutRequestHash.name, () => {
  const sut = checkoutRequestHash;
  const terms = fc.record({
    paymentMethod: fc.constantFrom('manual', 'stripe'),
    donationFen: fc.integer({ min: 0, max: 1_000_000 }),
    roundUp: fc.boolean(),
  });

  it('keeps the fingerprint stored orders already carry', () => {
    expect(sut({ paymentMethod: 'manual', donationFen: 0, roundUp: false })).toBe(
      'yTW54SZImvpuiNy7YzPomJJAZV90GaX8pYJ82TllOLk',
    );
  });

  it('tells different terms apart and gives the same terms the same fingerprint', () => {
    fc.assert(
      fc.property(terms, terms, (a, b) => {
        const same =
          a.paymentMethod === b.paymentMethod && a.donationFen === b.donationFen && a.roundUp === b.roundUp;
        expect(sut(a) === sut(b)).toBe(same);
      }),
    );
  });
});
