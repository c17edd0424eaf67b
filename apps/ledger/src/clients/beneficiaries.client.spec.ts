import { beneficiaries } from '@yugong/contracts';
import { sharesOfColumns } from './beneficiaries.client';

describe(sharesOfColumns.name, () => {
  const bytes = (...ids: string[]) => Buffer.from(ids.map((id) => id.replace(/-/g, '')).join(''), 'hex');
  const h1 = '11111111-2222-4333-8444-555555555555';
  const h2 = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
  const a1 = '01234567-89ab-4cde-8f01-23456789abcd';
  const a2 = 'fedcba98-7654-4321-8fed-cba987654321';
  const v1 = '99999999-8888-4777-8666-555555555555';

  it('lists the shares the columns hold, in their order, villages by index', () => {
    const sut = sharesOfColumns({
      householdIds: bytes(h1, h2),
      agreementIds: bytes(a1, a2),
      villageIds: [v1, ''],
      villageIndex: [0, 1],
      kinds: [
        beneficiaries.AgreementKind.AGREEMENT_KIND_SUPPLY,
        beneficiaries.AgreementKind.AGREEMENT_KIND_DIVIDEND,
      ],
      weights: [3, 7],
    });
    expect(sut).toEqual([
      { householdId: h1, villageId: v1, agreementId: a1, kind: 'AGREEMENT_KIND_SUPPLY', weight: 3 },
      { householdId: h2, villageId: '', agreementId: a2, kind: 'AGREEMENT_KIND_DIVIDEND', weight: 7 },
    ]);
  });

  it('refuses columns of different lengths rather than guess', () => {
    expect(() =>
      sharesOfColumns({
        householdIds: bytes(h1, h2),
        agreementIds: bytes(a1),
        villageIds: [v1],
        villageIndex: [0, 0],
        kinds: [
          beneficiaries.AgreementKind.AGREEMENT_KIND_SUPPLY,
          beneficiaries.AgreementKind.AGREEMENT_KIND_SUPPLY,
        ],
        weights: [3, 7],
      }),
    ).toThrow(/different lengths/);
  });
});
