import { MemoryRevokedTokens } from './revoked-tokens.store';

describe(MemoryRevokedTokens.name, () => {
  it('refuses a revoked token until it would have expired', async () => {
    const sut = new MemoryRevokedTokens();
    await sut.revoke('jti-1', new Date(Date.now() + 200));
    await sut.revoke('jti-expired', new Date(Date.now() - 1));

    expect(await sut.isRevoked('jti-1')).toBe(true);
    expect(await sut.isRevoked('jti-2')).toBe(false);
    expect(await sut.isRevoked('jti-expired')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await sut.isRevoked('jti-1')).toBe(false);
  });
});
