import { MemoryCheckoutLockStore } from './memory-checkout-lock.store';

const LEASE_MS = 10_000;

describe(MemoryCheckoutLockStore.name, () => {
  let now: number;
  let sut: MemoryCheckoutLockStore;

  beforeEach(() => {
    now = 1_000_000;
    sut = new MemoryCheckoutLockStore(() => now);
  });

  it('lets one holder at a time take a key, and others take other keys', async () => {
    expect(await sut.acquire('checkout:u-1:key-1', LEASE_MS)).toBe(true);
    expect(await sut.acquire('checkout:u-1:key-1', LEASE_MS)).toBe(false);
    expect(await sut.acquire('checkout:u-1:key-2', LEASE_MS)).toBe(true);
    expect(await sut.isHeld('checkout:u-1:key-1')).toBe(true);
  });

  it('frees the key on release', async () => {
    await sut.acquire('k', LEASE_MS);
    await sut.release('k');

    expect(await sut.isHeld('k')).toBe(false);
    expect(await sut.acquire('k', LEASE_MS)).toBe(true);
  });

  it('lets the lease lapse: a holder that never releases blocks others for the lease only', async () => {
    await sut.acquire('k', LEASE_MS);

    now += LEASE_MS - 1;
    expect(await sut.isHeld('k')).toBe(true);
    expect(await sut.acquire('k', LEASE_MS)).toBe(false);

    now += 1;
    expect(await sut.isHeld('k')).toBe(false);
    expect(await sut.acquire('k', LEASE_MS)).toBe(true);
  });

  it('is never held for a key nobody took', async () => {
    expect(await sut.isHeld('never')).toBe(false);
  });
});
