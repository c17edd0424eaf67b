import { JwtService } from '@nestjs/jwt';
import { Unauthenticated } from '@yugong/shared/errors';

import type { CallerIdentity } from './caller.model';
import { TokenService, type TokenServiceOptions } from './token.service';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const STAFF: CallerIdentity = { userId: 'u-1', role: 'producer_staff', producerIds: ['p-1', 'p-2'] };

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function partsOf(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
} {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()),
    signature,
  };
}

describe(TokenService.name, () => {
  let clock: number;
  let sut: TokenService;
  const make = (options: Partial<TokenServiceOptions> = {}) =>
    new TokenService({ secret: SECRET, ttlSeconds: 900, issuer: 'yugong', now: () => clock, ...options });

  beforeEach(() => {
    clock = Date.UTC(2020, 4, 16, 8, 0, 0);
    sut = make();
  });

  it('issues a token that verifies back to the caller', async () => {
    const { accessToken, expiresIn } = await sut.issue(STAFF);

    expect(expiresIn).toBe(900);
    await expect(sut.verify(accessToken)).resolves.toEqual(STAFF);
  });

  it('writes HS256, sub, role, producers, iat, exp, iss, a fresh jti and the session as sid', async () => {
    const { accessToken, tokenId, expiresAt } = await sut.issue(STAFF, 'session-1');

    const { header, payload } = partsOf(accessToken);
    const iat = clock / 1000;
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({
      sub: 'u-1',
      role: 'producer_staff',
      producers: ['p-1', 'p-2'],
      iat,
      exp: iat + 900,
      iss: 'yugong',
      jti: tokenId,
      sid: 'session-1',
    });
    expect(expiresAt).toEqual(new Date((iat + 900) * 1000));
    expect((await sut.issue(STAFF)).tokenId).not.toBe(tokenId);
  });

  it('answers the id, expiry and session of a verified token', async () => {
    const issued = await sut.issue(STAFF, 'session-1');

    await expect(sut.verifyToken(issued.accessToken)).resolves.toEqual({
      caller: STAFF,
      tokenId: issued.tokenId,
      expiresAt: issued.expiresAt,
      sessionId: 'session-1',
    });
  });

  it('refuses a correctly signed token without a jti, which could never be revoked', async () => {
    const jwt = new JwtService({ secret: SECRET });
    const iat = clock / 1000;
    const unrevocable = await jwt.signAsync(
      { role: STAFF.role, producers: STAFF.producerIds, iat, exp: iat + 900 },
      { algorithm: 'HS256', issuer: 'yugong', subject: STAFF.userId },
    );

    await expect(sut.verify(unrevocable)).rejects.toEqual(new Unauthenticated('Invalid token'));
  });

  it('accepts a token until it expires, then refuses it as expired', async () => {
    const { accessToken } = await sut.issue(STAFF);

    clock += 899_000;
    await expect(sut.verify(accessToken)).resolves.toEqual(STAFF);
    clock += 2_000;
    await expect(sut.verify(accessToken)).rejects.toEqual(new Unauthenticated('Token expired'));
  });

  it('expires for real with a short lifetime and the real clock', async () => {
    const real = new TokenService({ secret: SECRET, ttlSeconds: 1, issuer: 'yugong' });
    const { accessToken } = await real.issue(STAFF);

    await new Promise((resolve) => setTimeout(resolve, 2_100));

    await expect(real.verify(accessToken)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('remembers a verified token only until it expires, with the real clock too', async () => {
    const real = new TokenService({ secret: SECRET, ttlSeconds: 1, issuer: 'yugong' });
    const { accessToken } = await real.issue(STAFF);
    await expect(real.verify(accessToken)).resolves.toEqual(STAFF);
    await expect(real.verify(accessToken)).resolves.toEqual(STAFF); // the remembered one

    await new Promise((resolve) => setTimeout(resolve, 2_100));

    await expect(real.verify(accessToken)).rejects.toEqual(new Unauthenticated('Token expired'));
  });

  it('refuses a token whose claims were changed', async () => {
    const { accessToken } = await sut.issue(STAFF);
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${base64url({ ...claims, role: 'admin' })}.${signature}`;

    await expect(sut.verify(forged)).rejects.toEqual(new Unauthenticated('Invalid token'));
  });

  it('refuses an unsigned (alg none) token', async () => {
    const { payload } = partsOf((await sut.issue(STAFF)).accessToken);
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...payload, role: 'admin' })}.`;

    await expect(sut.verify(unsigned)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('refuses a token signed with another secret or for another issuer', async () => {
    const foreign = await make({ secret: 'another-secret-of-at-least-32-characters' }).issue(STAFF);
    const otherIssuer = await make({ issuer: 'elsewhere' }).issue(STAFF);

    await expect(sut.verify(foreign.accessToken)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(sut.verify(otherIssuer.accessToken)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('refuses a correctly signed token with an unknown role', async () => {
    const { accessToken } = await sut.issue({ ...STAFF, role: 'overlord' as CallerIdentity['role'] });

    await expect(sut.verify(accessToken)).rejects.toEqual(new Unauthenticated('Invalid token'));
  });

  it.each(['', 'garbage', 'a.b.c', 'Bearer x'])('refuses the malformed token %p', async (token) => {
    await expect(sut.verify(token)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('refuses a short secret and a bad lifetime at construction', () => {
    expect(() => make({ secret: 'short' })).toThrow(RangeError);
    expect(() => make({ ttlSeconds: 0 })).toThrow(RangeError);
    expect(() => make({ ttlSeconds: 1.5 })).toThrow(RangeError);
  });
});
