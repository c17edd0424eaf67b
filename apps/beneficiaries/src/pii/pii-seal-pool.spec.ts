import { randomBytes, randomUUID } from 'node:crypto';
import { PiiCipher } from './pii-cipher';
import { PiiSealPool } from './pii-seal-pool';
import type { HouseholdPii } from './pii-sealer';
import { PiiDecryptionError } from './pii.errors';

const keys = {
  encryptionKeys: new Map([['k1', randomBytes(32)]]),
  activeKeyId: 'k1',
  hashKey: 'h'.repeat(40),
};

/** `count` households, every third without a payout account. */
function householdPii(count: number): HouseholdPii {
  const ids = Array.from({ length: count }, () => randomUUID());
  return {
    ids,
    headNames: ids.map((_, i) => `王${i}芳`),
    nationalIds: ids.map((_, i) => `41088119900101${String(i).padStart(4, '0')}`),
    payoutAccounts: ids.map((_, i) => (i % 3 === 0 ? null : `622202${String(i).padStart(10, '0')}`)),
  };
}

describe(PiiSealPool.name, () => {
  const cipher = new PiiCipher(keys);

  it('seals in its workers what the cipher reads back: bound to household and field, IVs never repeated', async () => {
    const sut = new PiiSealPool(cipher, 2);
    try {
      // Two requests at once, each split between the two workers, and a short one sealed in place.
      const [large, other, small] = [householdPii(700), householdPii(300), householdPii(5)];
      const sealed = await Promise.all([large, other, small].map((h) => sut.sealHouseholds(h)));
      const ivs = new Set<string>();
      let envelopes = 0;
      sealed.forEach((s, r) => {
        const h = [large, other, small][r];
        expect(s.headNameEnc).toHaveLength(h.ids.length);
        h.ids.forEach((id, i) => {
          const other = h.ids[(i + 1) % h.ids.length];
          for (const [field, plaintext, envelope] of [
            ['head_name', h.headNames[i], s.headNameEnc[i]],
            ['national_id', h.nationalIds[i], s.nationalIdEnc[i]],
            ['payout_account', h.payoutAccounts[i], s.payoutAccountEnc[i]],
          ] as const) {
            if (plaintext === null) {
              expect(envelope).toBeNull();
              continue;
            }
            expect(cipher.isCurrent(envelope!)).toBe(true);
            expect(envelope).not.toContain(plaintext);
            expect(cipher.decrypt(field, envelope!, id)).toBe(plaintext);
            expect(() => cipher.decrypt(field, envelope!, other)).toThrow(PiiDecryptionError);
            ivs.add(envelope!.split('.')[2]);
            envelopes += 1;
          }
        });
      });
      expect(ivs.size).toBe(envelopes);
    } finally {
      await sut.close();
    }
  });

  it('rejects what a worker had in hand when it stops, and then refuses', async () => {
    const sut = new PiiSealPool(cipher, 1);
    await sut.sealHouseholds(householdPii(100)); // the worker is up
    const inHand = sut.sealHouseholds(householdPii(20_000));
    await sut.close();
    await expect(inHand).rejects.toThrow(/sealing worker stopped/);
    await expect(sut.sealHouseholds(householdPii(100))).rejects.toThrow(/pool is closed/);
  });

  it('seals everything in place when it has no workers', async () => {
    const sut = new PiiSealPool(cipher, 0);
    const households = householdPii(300);
    const sealed = await sut.sealHouseholds(households);
    expect(cipher.decrypt('national_id', sealed.nationalIdEnc[299], households.ids[299])).toBe(
      households.nationalIds[299],
    );
    await sut.close();
  });

  it('answers a bad value as a failure that quotes nothing of it, and carries on', async () => {
    const sut = new PiiSealPool(cipher, 1);
    try {
      const bad = householdPii(100);
      (bad.headNames as unknown[])[7] = 410881199001011234;
      const failure = await sut.sealHouseholds(bad).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(failure?.message).toMatch(/sealing personal data failed in a worker \(ERR_INVALID_ARG_TYPE\)/);
      expect(failure?.message).not.toContain('410881199001011234');
      const good = householdPii(100);
      const sealed = await sut.sealHouseholds(good);
      expect(cipher.decrypt('head_name', sealed.headNameEnc[7], good.ids[7])).toBe(good.headNames[7]);
    } finally {
      await sut.close();
    }
  });
});
