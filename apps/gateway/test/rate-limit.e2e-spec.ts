import request from 'supertest';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';

describe('rate limits at the gateway', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform('rate_limit', {
      AUTH_RATE_LIMIT_PER_MINUTE: '3',
      RATE_LIMIT_PER_MINUTE: '40',
    });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('answers 429 after the sign-in limit, and counts wrong passwords too', async () => {
    const login = (password: string) =>
      request(platform.http).post('/api/v1/auth/login').send({ email: 'consumer@example.com', password });
    expect((await login('wrong-password!')).status).toBe(401);
    expect((await login('wrong-password!')).status).toBe(401);
    expect((await login(DEMO_PASSWORD)).status).toBe(200);
    const limited = await login(DEMO_PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatch(/TOO_MANY_REQUESTS|RATE_LIMITED/);
    expect(Object.keys(limited.headers).some((name) => name.startsWith('retry-after'))).toBe(true);
  });

  it('limits each client across all routes, cached reads included, but never health checks', async () => {
    // The 4 sign-ins above count too: 40 a minute in all.
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push((await request(platform.http).get('/api/v1/products')).status);
    }
    expect(statuses.filter((s) => s === 200).length).toBe(36);
    expect(statuses.slice(36)).toEqual([429, 429, 429, 429]);
    await request(platform.http).get('/healthz').expect(200);
  });
});
