import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';

import { ROLES, type CallerIdentity } from './caller.model';
import {
  AssertionSigner,
  AssertionVerifier,
  parsePublicKeys,
  SERVICE_NAMES,
  type ServiceName,
} from './service-assertion';

const base64 = (der: Buffer) => der.toString('base64');
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKey: base64(publicKey.export({ format: 'der', type: 'spki' })) };
}
const keys = Object.fromEntries(SERVICE_NAMES.map((name) => [name, keyPair()])) as Record<
  ServiceName,
  ReturnType<typeof keyPair>
>;
const publicKeys = parsePublicKeys(SERVICE_NAMES.map((name) => `${name}:${keys[name].publicKey}`).join(','));
const RPC = '/yugong.orders.v1.OrdersService/GetOrder';

describe(AssertionVerifier.name, () => {
  const verifier = new AssertionVerifier('orders', publicKeys);

  it('gives back exactly who signed, and for whom, for every service and user', () => {
    const id = fc.string({ minLength: 1, maxLength: 40 });
    const users: fc.Arbitrary<CallerIdentity> = fc.record({
      userId: id,
      role: fc.constantFrom(...ROLES),
      producerIds: fc.array(id, { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...SERVICE_NAMES), fc.option(users), (service, user) => {
        const token = new AssertionSigner(service, keys[service].privateKey).sign('orders', RPC, user);
        expect(verifier.verify(token, RPC)).toEqual({
          service,
          principal: user ? 'user' : 'anonymous',
          user: user ? { userId: user.userId, role: user.role, producerIds: user.producerIds } : null,
        });
      }),
      { numRuns: 50 },
    );
  });

  it('tells a service acting for itself from a call made for nobody', () => {
    const token = new AssertionSigner('ledger', keys.ledger.privateKey).sign('orders', RPC, 'service');
    expect(verifier.verify(token, RPC)).toEqual({ service: 'ledger', principal: 'service', user: null });
  });

  it('refuses a signature by any key but the named service own', () => {
    const signed = new AssertionSigner('gateway', keys.catalog.privateKey).sign('orders', RPC, null);
    expect(() => verifier.verify(signed, RPC)).toThrow(/service assertion refused/);
  });

  it('refuses a service it has no key for, and nonsense', () => {
    const partial = new AssertionVerifier('orders', parsePublicKeys(`gateway:${keys.gateway.publicKey}`));
    const fromCatalog = new AssertionSigner('catalog', keys.catalog.privateKey).sign('orders', RPC, null);
    expect(() => partial.verify(fromCatalog, RPC)).toThrow(/does not know/);
    for (const junk of [undefined, '', 'a.b.c', 'x'.repeat(20_000)]) {
      expect(() => verifier.verify(junk, RPC)).toThrow();
    }
  });
});

describe('assertion reuse', () => {
  const verifier = new AssertionVerifier('orders', publicKeys);
  const user: CallerIdentity = { userId: 'u1', role: 'consumer', producerIds: [] };

  it('signs once per method and principal for a while, and anew for any other', () => {
    const signer = new AssertionSigner('gateway', keys.gateway.privateKey);
    const first = signer.sign('orders', RPC, user);
    expect(signer.sign('orders', RPC, { ...user })).toBe(first);
    expect(signer.sign('orders', RPC, { ...user, role: 'institution' })).not.toBe(first);
    expect(signer.sign('orders', RPC, null)).not.toBe(first);
    expect(signer.sign('orders', '/yugong.orders.v1.OrdersService/ListOrders', user)).not.toBe(first);
    expect(signer.sign('catalog', RPC, user)).not.toBe(first);
  });

  it('stops reusing before the assertion gets old', async () => {
    const shortLived = new AssertionSigner('gateway', keys.gateway.privateKey, 1);
    const first = shortLived.sign('orders', RPC, user);
    await new Promise((resolve) => setTimeout(resolve, 400)); // past a sixth of its one-second life
    expect(shortLived.sign('orders', RPC, user)).not.toBe(first);
  });

  it('reuses an assertion while it outlives the call, and signs anew once it would not', () => {
    const signer = new AssertionSigner('gateway', keys.gateway.privateKey); // 60 s of life
    const start = Date.UTC(2026, 11, 4, 12, 0, 0, 0);
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    try {
      const first = signer.sign('orders', RPC, user, 25_000);
      clock.mockReturnValue(start + 34_000); // 26 s left: enough for a call that needs 25
      expect(signer.sign('orders', RPC, user, 25_000)).toBe(first);
      expect(signer.sign('orders', RPC, user, 27_000)).not.toBe(first); // not for one that needs 27
      clock.mockReturnValue(start + 36_000);
      const next = signer.sign('orders', RPC, user, 25_000); // 24 s left of the first: signed anew
      expect(next).not.toBe(first);
      expect(verifier.verify(next, RPC).user).toEqual(user);
    } finally {
      clock.mockRestore();
    }
  });

  it('remembers a verified assertion, but still only for its own method', () => {
    const token = new AssertionSigner('gateway', keys.gateway.privateKey).sign('orders', RPC, user);
    expect(verifier.verify(token, RPC).user).toEqual(user);
    expect(verifier.verify(token, RPC).user).toEqual(user);
    expect(() => verifier.verify(token, '/yugong.orders.v1.OrdersService/CancelOrder')).toThrow(
      /not \/yugong/,
    );
  });
});

describe(parsePublicKeys.name, () => {
  it('names an entry without a known service, and a key that is not P-256', () => {
    expect(() => parsePublicKeys(`warehouse:${keys.gateway.publicKey}`)).toThrow(/service name/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(() => parsePublicKeys(`gateway:${base64(rsa.export({ format: 'der', type: 'spki' }))}`)).toThrow(
      /not a P-256 public key/,
    );
  });
});

describe(AssertionSigner.name, () => {
  it('refuses a key that is not a P-256 private key', () => {
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(() => new AssertionSigner('gateway', ed)).toThrow(/not a P-256 private key/);
  });
});
