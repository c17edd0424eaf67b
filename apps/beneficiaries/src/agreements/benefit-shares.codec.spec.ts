import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { beneficiaries, PROTO_ROOT, protoPath } from '@yugong/contracts';
import { PROTO_LOADER_OPTIONS } from '@yugong/shared/grpc';
import fc from 'fast-check';
import { benefitSharesEncoder, useFastBenefitSharesEncoder } from './benefit-shares.codec';

const KINDS = [
  'AGREEMENT_KIND_UNSPECIFIED',
  'AGREEMENT_KIND_EMPLOYMENT',
  'AGREEMENT_KIND_DIVIDEND',
  'AGREEMENT_KIND_SUPPLY',
  'AGREEMENT_KIND_LAND_LEASE',
];

const load = (): PackageDefinition =>
  loadSync(protoPath('beneficiaries'), { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });

const methodOf = (definition: PackageDefinition) =>
  (
    definition[
      `${beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME}.${beneficiaries.BENEFICIARIES_SERVICE_NAME}`
    ] as Record<
      string,
      { responseSerialize: (v: unknown) => Buffer; responseDeserialize: (b: Buffer) => unknown }
    >
  )['GetBenefitShares'];

const share = fc.record({
  householdId: fc.oneof(fc.uuid(), fc.string(), fc.string({ unit: 'grapheme', maxLength: 200 })),
  villageId: fc.oneof(fc.uuid(), fc.constant('')),
  agreementId: fc.uuid(),
  kind: fc.constantFrom(...KINDS),
  weight: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 2 ** 31 - 1 })),
});
const villageShare = fc.record({
  id: fc.uuid(),
  producerId: fc.uuid(),
  villageId: fc.uuid(),
  shareBps: fc.integer({ min: 1, max: 5_000 }),
  effectiveFrom: fc.constant('2020-01-01'),
  effectiveTo: fc.constantFrom('', '2021-01-01'),
});
const response = fc.record({
  shares: fc.array(share, { maxLength: 50 }),
  totalWeight: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 2 ** 40 })),
  // Mostly none (the fast path), sometimes some (handed to the generic encoder).
  villageShares: fc.oneof(fc.constant([]), fc.constant([]), fc.array(villageShare, { maxLength: 3 })),
});

describe(benefitSharesEncoder.name, () => {
  const definition = load();
  const generic = methodOf(definition);
  const sut = benefitSharesEncoder(definition, generic.responseSerialize)!;

  it('knows the contract as it stands', () => {
    expect(sut).toBeDefined();
  });

  it('writes a kept answer once, and again only when its total differs', () => {
    const shares = [
      { householdId: 'h1', villageId: 'v1', agreementId: 'a1', kind: 'AGREEMENT_KIND_SUPPLY', weight: 3 },
    ];
    const first = sut({ shares, totalWeight: 3, villageShares: [] });
    expect(sut({ shares, totalWeight: 3, villageShares: [] })).toBe(first);
    const other = sut({ shares, totalWeight: 4, villageShares: [] });
    expect(other).toEqual(generic.responseSerialize({ shares, totalWeight: 4, villageShares: [] }));
    expect(sut({ shares: [...shares], totalWeight: 3, villageShares: [] })).toEqual(first);
  });

  it('writes the very bytes proto-loader writes, for any answer', () => {
    fc.assert(
      fc.property(response, (message) => {
        expect(sut(message).equals(generic.responseSerialize(message))).toBe(true);
      }),
    );
  });

  it('round-trips through the generic decoder', () => {
    fc.assert(
      fc.property(response, (message) => {
        // An absent message field reads back as null (proto-loader, defaults on).
        expect(generic.responseDeserialize(sut(message))).toEqual({ ...message, columns: null });
      }),
    );
  });

  it('hands negative numbers and unknown kinds to the generic encoder', () => {
    const seen: unknown[] = [];
    const withFallback = benefitSharesEncoder(definition, (v) => {
      seen.push(v);
      return Buffer.alloc(0);
    })!;
    const ok = { householdId: 'h', villageId: 'v', agreementId: 'a', kind: KINDS[1], weight: 1 };
    withFallback({ shares: [{ ...ok, weight: -1 }], totalWeight: 1 });
    withFallback({ shares: [{ ...ok, kind: 'AGREEMENT_KIND_OTHER' }], totalWeight: 1 });
    withFallback({ shares: [ok], totalWeight: -5 });
    expect(seen).toHaveLength(3);
  });

  it('is swapped in for GetBenefitShares answers only', () => {
    const swapped = load();
    const before = methodOf(swapped).responseSerialize;
    useFastBenefitSharesEncoder(swapped);
    expect(methodOf(swapped).responseSerialize).not.toBe(before);
  });
});
