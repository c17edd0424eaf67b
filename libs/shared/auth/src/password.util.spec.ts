import { hashPassword, passwordProblems, verifyPassword } from './password.util';

describe(hashPassword.name, () => {
  it('hashes with argon2id, salted, and verifies the same password only', async () => {
    const sut = hashPassword;

    const [first, second] = await Promise.all([sut('correct horse battery'), sut('correct horse battery')]);

    expect(first).toMatch(/^\$argon2id\$/);
    expect(first).not.toBe(second);
    await expect(verifyPassword(first, 'correct horse battery')).resolves.toBe(true);
    await expect(verifyPassword(second, 'correct horse battery')).resolves.toBe(true);
    await expect(verifyPassword(first, 'correct horse batterY')).resolves.toBe(false);
    await expect(verifyPassword(first, '')).resolves.toBe(false);
  });

  it('handles non-ASCII passwords', async () => {
    const hash = await hashPassword('愚公移山，挖山不止');

    await expect(verifyPassword(hash, '愚公移山，挖山不止')).resolves.toBe(true);
    await expect(verifyPassword(hash, '愚公移山，挖山不正')).resolves.toBe(false);
  });
});

describe(verifyPassword.name, () => {
  it.each(['', 'not a hash', '$argon2id$v=19$m=65536,t=3,p=4$broken'])(
    'treats the malformed hash %p as a mismatch',
    async (hash) => {
      await expect(verifyPassword(hash, 'whatever12345')).resolves.toBe(false);
    },
  );
});

describe(passwordProblems.name, () => {
  const sut = passwordProblems;

  it.each([
    ['', ['must be at least 10 characters']],
    ['123456789', ['must be at least 10 characters']],
    ['1234567890', []],
    ['愚公移山挖山不止的精神', []],
    ['愚公移山挖山不止', ['must be at least 10 characters']],
    ['x'.repeat(256), []],
    ['x'.repeat(257), ['must be at most 256 characters']],
  ])('finds in %p the problems %p', (plain, problems) => {
    expect(sut(plain)).toEqual(problems);
  });
});
