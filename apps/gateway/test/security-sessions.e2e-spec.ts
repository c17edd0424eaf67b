import { Client } from 'pg';
import request from 'supertest';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';

/**
 * Sessions and sign-in through the gateway, each case named after the attack it stops: a token
 * used after sign-out, after its user was disabled or lost a producer, a stolen refresh token
 * replayed, a password guessed from many addresses, sign-up used to learn who has an account.
 * Each refused call is checked for its status, its error code and that it wrote nothing.
 */

/** How long a gateway process may trust what it read of a user (SESSION_RECHECK_SECONDS). */
const RECHECK_SECONDS = 2;
/** The first sign-in back-off (SIGN_IN_BACKOFF_SECONDS); it doubles with each further failure. */
const BACKOFF_SECONDS = 3;
const FAILURES_BEFORE_BACKOFF = 5;

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; producerIds: string[] };
}

describe('security: sessions and sign-in', () => {
  let platform: Platform;
  let gatewaySql: Client;
  let catalogSql: Client;
  let addresses = 0;

  const http = () => platform.http;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  /** A client address of its own for each call, so that no per-IP limit is what stops a test. */
  const fromAnywhere = () => ({
    'x-forwarded-for': `10.9.${Math.floor(++addresses / 250)}.${addresses % 250}`,
  });

  async function signIn(email: string, password = DEMO_PASSWORD): Promise<Session> {
    const res = await request(http())
      .post('/api/v1/auth/login')
      .set(fromAnywhere())
      .send({ email, password })
      .expect(200);
    return res.body as Session;
  }

  function signUp(email: string, password: string, name = '测试用户'): request.Test {
    return request(http()).post('/api/v1/auth/register').set(fromAnywhere()).send({ email, password, name });
  }

  async function userRow(email: string) {
    const { rows } = await gatewaySql.query(
      'select id, name, password_hash, role, producer_ids, disabled_at from app_user where email = $1',
      [email],
    );
    return rows;
  }

  /** Calls `probe` until it answers `status` or `seconds` pass; the answer and the time it took. */
  async function within(seconds: number, status: number, probe: () => Promise<request.Response>) {
    const started = Date.now();
    let res = await probe();
    while (res.status !== status && Date.now() - started < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await probe();
    }
    return { res, seconds: (Date.now() - started) / 1000 };
  }

  beforeAll(async () => {
    platform = await startPlatform('security_sessions', {
      TRUST_PROXY: 'true',
      SESSION_RECHECK_SECONDS: String(RECHECK_SECONDS),
      SIGN_IN_BACKOFF_SECONDS: String(BACKOFF_SECONDS),
      SIGN_IN_FAILURES_BEFORE_BACKOFF: String(FAILURES_BEFORE_BACKOFF),
    });
    gatewaySql = new Client({ connectionString: platform.gatewayDatabaseUrl });
    catalogSql = new Client({ connectionString: platform.catalogDatabaseUrl });
    await Promise.all([gatewaySql.connect(), catalogSql.connect()]);
  });

  afterAll(async () => {
    await Promise.all([gatewaySql?.end(), catalogSql?.end()]);
    await platform?.stop();
  });

  it('a revoked token: after sign-out it is refused, and what it tried is not written', async () => {
    await signUp('target.revoked@example.com', 'a-long-password-1').expect(202);
    const [target] = await userRow('target.revoked@example.com');
    const admin = await signIn('admin@example.com');

    await request(http()).post('/api/v1/auth/logout').set(bearer(admin.accessToken)).expect(204);

    const disable = await request(http())
      .patch(`/api/v1/users/${target.id}`)
      .set(bearer(admin.accessToken))
      .send({ disabled: true });
    expect(disable.status).toBe(401);
    expect(disable.body.error).toBe('UNAUTHENTICATED');
    expect((await userRow('target.revoked@example.com'))[0].disabled_at).toBeNull();
    const me = await request(http()).get('/api/v1/me').set(bearer(admin.accessToken));
    expect(me.status).toBe(401);
    // The sign-in's refresh token ended with it.
    const refreshed = await request(http())
      .post('/api/v1/auth/refresh')
      .set(fromAnywhere())
      .send({ refreshToken: admin.refreshToken });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.error).toBe('UNAUTHENTICATED');
    const { rows } = await gatewaySql.query(
      'select count(*)::int as n, count(revoked_at)::int as revoked from refresh_token where user_id = $1',
      [admin.user.id],
    );
    expect(rows[0]).toEqual({ n: 1, revoked: 1 });
  });

  it("a disabled user's token: refused within the bound, and so are sign-in and refresh", async () => {
    await signUp('to.disable@example.com', 'a-long-password-2').expect(202);
    const victim = await signIn('to.disable@example.com', 'a-long-password-2');
    await request(http()).get('/api/v1/me').set(bearer(victim.accessToken)).expect(200);
    const admin = await signIn('admin@example.com');

    const disabled = await request(http())
      .patch(`/api/v1/users/${victim.user.id}`)
      .set(bearer(admin.accessToken))
      .send({ disabled: true })
      .expect(200);
    expect(disabled.body.disabled).toBe(true);

    const { res, seconds } = await within(RECHECK_SECONDS + 1, 401, () =>
      request(http())
        .post('/api/v1/cart/items')
        .set(bearer(victim.accessToken))
        .send({ productId: '00000000-0000-4000-8000-000000000000', quantity: 1 }),
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('UNAUTHENTICATED');
    expect(seconds).toBeLessThanOrEqual(RECHECK_SECONDS + 1);
    const login = await request(http())
      .post('/api/v1/auth/login')
      .set(fromAnywhere())
      .send({ email: 'to.disable@example.com', password: 'a-long-password-2' });
    expect(login.status).toBe(401);
    expect(login.body.error).toBe('UNAUTHENTICATED');
    const refreshed = await request(http())
      .post('/api/v1/auth/refresh')
      .set(fromAnywhere())
      .send({ refreshToken: victim.refreshToken });
    expect(refreshed.status).toBe(401);
    const { rows } = await gatewaySql.query(
      'select count(*)::int as n from refresh_token where user_id = $1',
      [victim.user.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('a role changed: staff removed from a producer lose its products within the bound', async () => {
    const staff = await signIn('yangguang@example.com');
    const [producerId] = staff.user.producerIds;
    const { rows: products } = await catalogSql.query(
      'select id, price_fen from product where producer_id = $1 order by id limit 1',
      [producerId],
    );
    const product = products[0] as { id: string; price_fen: string };
    const { rows: others } = await catalogSql.query(
      'select id from producer where id <> $1 order by id limit 1',
      [producerId],
    );
    const lots = () =>
      request(http()).get(`/api/v1/products/${product.id}/lots`).set(bearer(staff.accessToken));
    await lots().expect(200);

    // Changed in the users table as another gateway process (or an operator) would: this one
    // learns of it only by reading the user again.
    await gatewaySql.query('update app_user set producer_ids = $2 where id = $1', [
      staff.user.id,
      [others[0].id],
    ]);
    const { res, seconds } = await within(RECHECK_SECONDS + 1, 404, lots);
    expect(res.status).toBe(404);
    expect(seconds).toBeLessThanOrEqual(RECHECK_SECONDS + 1);

    const update = await request(http())
      .patch(`/api/v1/products/${product.id}`)
      .set(bearer(staff.accessToken))
      .send({ priceFen: 1 });
    expect(update.status).toBe(403);
    expect(update.body.error).toBe('PERMISSION_DENIED');
    const { rows: after } = await catalogSql.query('select price_fen from product where id = $1', [
      product.id,
    ]);
    expect(after[0].price_fen).toBe(product.price_fen);
  });

  it('a refresh token used twice: the second use is refused and the whole sign-in revoked', async () => {
    const first = await signIn('consumer@example.com');
    const second = await request(http())
      .post('/api/v1/auth/refresh')
      .set(fromAnywhere())
      .send({ refreshToken: first.refreshToken })
      .expect(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    await request(http()).get('/api/v1/me').set(bearer(second.body.accessToken)).expect(200);

    const replay = await request(http())
      .post('/api/v1/auth/refresh')
      .set(fromAnywhere())
      .send({ refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('UNAUTHENTICATED');

    // The family is revoked: the token the owner (or the thief) got next, and its access token.
    const next = await request(http())
      .post('/api/v1/auth/refresh')
      .set(fromAnywhere())
      .send({ refreshToken: second.body.refreshToken });
    expect(next.status).toBe(401);
    await request(http()).get('/api/v1/me').set(bearer(second.body.accessToken)).expect(401);
    await request(http()).get('/api/v1/me').set(bearer(first.accessToken)).expect(401);
    const { rows } = await gatewaySql.query(
      `select count(*)::int as n, count(revoked_at)::int as revoked from refresh_token
        where family_id = (select family_id from refresh_token where user_id = $1 order by created_at limit 1)`,
      [first.user.id],
    );
    expect(rows[0]).toEqual({ n: 2, revoked: 2 });
  });

  it('50 failed logins on one account from 50 forwarded addresses: the account backs off', async () => {
    const email = 'guessed@example.com';
    const password = 'the-right-password-1';
    await signUp(email, password).expect(202);
    const [user] = await userRow(email);
    const attempt = (i: number, guess: string) =>
      request(http())
        .post('/api/v1/auth/login')
        .set('x-forwarded-for', `203.0.113.${i}`)
        .send({ email: i % 2 ? email : email.toUpperCase(), password: guess });

    const statuses: number[] = [];
    for (let i = 1; i <= 50; i++) {
      statuses.push((await attempt(i, `wrong-guess-${i}`)).status);
    }
    expect(statuses.slice(0, FAILURES_BEFORE_BACKOFF)).toEqual(Array(FAILURES_BEFORE_BACKOFF).fill(401));
    expect(statuses.slice(FAILURES_BEFORE_BACKOFF)).toEqual(Array(50 - FAILURES_BEFORE_BACKOFF).fill(429));

    const right = await attempt(51, password);
    expect(right.status).toBe(429);
    expect(right.body.error).toBe('SIGN_IN_THROTTLED');
    expect(right.body.accessToken).toBeUndefined();
    const firstWait = Number(right.headers['retry-after']);
    expect(firstWait).toBeGreaterThan(0);
    expect(firstWait).toBeLessThanOrEqual(BACKOFF_SECONDS);
    const { rows } = await gatewaySql.query(
      'select count(*)::int as n from refresh_token where user_id = $1',
      [user.id],
    );
    expect(rows[0].n).toBe(0);

    // One more guess once the back-off passes, and the next back-off is twice as long.
    await new Promise((resolve) => setTimeout(resolve, firstWait * 1000 + 200));
    expect((await attempt(52, 'wrong-guess-52')).status).toBe(401);
    const slowed = await attempt(53, password);
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThan(BACKOFF_SECONDS);

    await new Promise((resolve) => setTimeout(resolve, Number(slowed.headers['retry-after']) * 1000 + 200));
    const signedIn = await attempt(54, password);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.id).toBe(user.id);
  }, 30_000);

  it('sign-up with an existing email: the same answer, no second account, nothing changed', async () => {
    const [before] = await userRow('consumer@example.com');

    const fresh = await signUp('brand.new@example.com', 'a-long-password-3');
    const existing = await signUp('Consumer@Example.com', 'an-attackers-password', '冒名者');

    expect(existing.status).toBe(fresh.status);
    expect(fresh.status).toBe(202);
    expect(Object.keys(existing.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect(existing.body).toEqual({ ...fresh.body, email: 'consumer@example.com' });
    expect(await userRow('consumer@example.com')).toEqual([before]);
    const stolen = await request(http())
      .post('/api/v1/auth/login')
      .set(fromAnywhere())
      .send({ email: 'consumer@example.com', password: 'an-attackers-password' });
    expect(stolen.status).toBe(401);
    await signIn('consumer@example.com');
    await signIn('brand.new@example.com', 'a-long-password-3');
  });
});
