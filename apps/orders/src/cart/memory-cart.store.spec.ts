import { MAX_CART_LINES, MAX_CART_QUANTITY } from './cart.store';
import { MemoryCartStore } from './memory-cart.store';

const TTL_SECONDS = 60;
const user = { userId: 'u-1' };
const anon = { token: 'anonymous-cart-token-0123456789abcdef' };

describe(MemoryCartStore.name, () => {
  let now: number;
  let sut: MemoryCartStore;

  beforeEach(() => {
    now = 1_000_000;
    sut = new MemoryCartStore(TTL_SECONDS, () => now);
  });

  it('keeps lines in the order products were added and adds quantities up', async () => {
    expect(await sut.add(user, 'p-1', 2)).toBe(2);
    expect(await sut.add(user, 'p-2', 1)).toBe(1);
    expect(await sut.add(user, 'p-1', 3)).toBe(5);

    expect(await sut.read(user)).toEqual([
      { productId: 'p-1', quantity: 5 },
      { productId: 'p-2', quantity: 1 },
    ]);
  });

  it('refuses to pass the quantity and line limits', async () => {
    await sut.add(user, 'p-1', MAX_CART_QUANTITY);
    expect(await sut.add(user, 'p-1', 1)).toBeUndefined();
    for (let i = 2; i <= MAX_CART_LINES; i++) {
      await sut.add(user, `p-${i}`, 1);
    }
    expect(await sut.add(user, 'one-too-many', 1)).toBeUndefined();
    expect(await sut.read(user)).toHaveLength(MAX_CART_LINES);
  });

  it('refuses to set a new line in a full cart, changing nothing; a line already there still changes', async () => {
    for (let i = 1; i <= MAX_CART_LINES; i++) {
      expect(await sut.set(user, `p-${i}`, 1)).toBe(true);
    }
    expect(await sut.set(user, 'one-too-many', 1)).toBe(false);
    expect(await sut.read(user)).toHaveLength(MAX_CART_LINES);
    expect(await sut.set(user, 'p-1', 5)).toBe(true);
    expect((await sut.read(user))[0]).toEqual({ productId: 'p-1', quantity: 5 });
  });

  it('sets and removes lines; a cart left empty is gone', async () => {
    await sut.add(user, 'p-1', 1);
    await sut.set(user, 'p-1', 7);
    expect(await sut.read(user)).toEqual([{ productId: 'p-1', quantity: 7 }]);

    await sut.set(user, 'p-1', 0);
    expect(await sut.read(user)).toEqual([]);
    expect(await sut.ttl(user)).toBe(-2);
  });

  it('expires a cart left idle for the TTL, and every read or write starts the TTL again', async () => {
    await sut.add(user, 'p-1', 1);
    expect(await sut.ttl(user)).toBe(TTL_SECONDS);

    now += (TTL_SECONDS - 1) * 1_000;
    expect(await sut.ttl(user)).toBe(1);
    await sut.read(user); // a read is a touch
    expect(await sut.ttl(user)).toBe(TTL_SECONDS);

    now += TTL_SECONDS * 1_000;
    expect(await sut.read(user)).toEqual([]);
    expect(await sut.ttl(user)).toBe(-2);
    expect(await sut.add(user, 'p-2', 1)).toBe(1); // a fresh cart, nothing of the old one
    expect(await sut.read(user)).toEqual([{ productId: 'p-2', quantity: 1 }]);
  });

  it('drops expired carts from memory, not only when they are looked at', async () => {
    for (let i = 0; i < 50; i++) {
      await sut.add({ token: `abandoned-cart-${i}-0123456789abcdefghijkl` }, 'p-1', 1);
    }
    now += TTL_SECONDS * 1_000 + 60_000;
    await sut.read(user);

    expect((sut as unknown as { carts: Map<string, unknown> }).carts.size).toBe(0);
  });

  it('merges an anonymous cart into the user’s, capping each line, once', async () => {
    await sut.add(user, 'p-1', MAX_CART_QUANTITY - 1);
    await sut.add(anon, 'p-1', 5);
    await sut.add(anon, 'p-2', 2);

    await sut.merge(anon.token, user.userId);
    await sut.merge(anon.token, user.userId);

    expect(await sut.read(user)).toEqual([
      { productId: 'p-1', quantity: MAX_CART_QUANTITY },
      { productId: 'p-2', quantity: 2 },
    ]);
    expect(await sut.read(anon)).toEqual([]);
  });

  it('clears a cart', async () => {
    await sut.add(anon, 'p-1', 1);
    await sut.clear(anon);
    expect(await sut.read(anon)).toEqual([]);
  });
});
