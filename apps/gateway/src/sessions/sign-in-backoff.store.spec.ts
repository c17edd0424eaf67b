import { SignInBackoff } from './sign-in-backoff.store';

// The in-process store (no Redis); the e2e suite runs the same rules against Redis.
describe(SignInBackoff.name, () => {
  const options = {
    failuresBeforeBackoff: 3,
    failureWindowSeconds: 60,
    backoffSeconds: 10,
    backoffMaxSeconds: 25,
  };
  let sut: SignInBackoff;

  beforeEach(() => {
    sut = new SignInBackoff(null, options);
  });

  async function fail(email: string): Promise<number> {
    const wait = await sut.admit(email);
    if (wait === 0) {
      await sut.failed(email);
    }
    return wait;
  }

  it('lets the allowance through, then makes the email wait', async () => {
    expect([await fail('a@x'), await fail('a@x'), await fail('a@x')]).toEqual([0, 0, 0]);
    const wait = await sut.admit('a@x');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(10);
    expect(await sut.admit('b@x')).toBe(0);
  });

  it('admits one of a burst past the allowance', async () => {
    for (let i = 0; i < 3; i++) {
      await sut.admit('a@x');
    }
    const burst = await Promise.all(Array.from({ length: 10 }, () => sut.admit('a@x')));
    expect(burst.filter((wait) => wait === 0)).toHaveLength(1);
  });

  it('forgets the failures after a success', async () => {
    await fail('a@x');
    await fail('a@x');
    await sut.succeeded('a@x');
    expect([await fail('a@x'), await fail('a@x'), await fail('a@x')]).toEqual([0, 0, 0]);
  });
});
