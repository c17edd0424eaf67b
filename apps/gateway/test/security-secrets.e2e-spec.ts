import { TokenService } from '@yugong/shared/auth';
import { ConfigError } from '@yugong/shared/config';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { beneficiariesConfig } from '../../beneficiaries/src/config/beneficiaries.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { catalogConfig } from '../../catalog/src/config/catalog.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ledgerConfig } from '../../ledger/src/config/ledger.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { licensingConfig } from '../../licensing/src/config/licensing.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ordersConfig } from '../../orders/src/config/orders.config';
import { gatewayConfig } from '../src/config/gateway.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { serviceEnv, type LaunchContext, type ServiceName } from '../../../tools/runtime/services.mjs';
import { TEST_SERVICE_KEYS } from '@yugong/shared/testing';
import { signInAs } from './support/accounts';
import { DEMO_PASSWORD, JWT_SECRET, startPlatform, type Platform } from './support/platform';

/**
 * A deployment with a known secret, attacked as the issue describes: a token signed with the
 * secret docker-compose used to default to, and a token that outlives its account. Services
 * refuse to start with a published secret unless they listen on loopback only, and the gateway
 * checks every token's subject against its users. Refused calls are checked for their status,
 * their error code and that they wrote nothing.
 */

/** The JWT_SECRET docker-compose.yml and the k8s dev overlay used to ship. */
const COMPOSE_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789';

/** Each service's environment as the launcher makes it, listening on `host`. */
function launchEnv(name: ServiceName, host: string, overrides: Record<string, string> = {}) {
  const ctx: LaunchContext = {
    databaseUrl: (service) => `postgres://yugong:own-password-0123@db:5432/yugong_${service}`,
    redisUrl: undefined,
    secrets: {
      SERVICE_KEYS: TEST_SERVICE_KEYS,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      PII_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      PII_ACTIVE_KEY_ID: 'k1',
      PII_HASH_KEY: randomBytes(48).toString('base64url'),
      LABEL_TAG_KEY: randomBytes(48).toString('base64url'),
    },
    ports: {
      catalog: 50051,
      beneficiaries: 50052,
      orders: 50053,
      ledger: 50054,
      licensing: 50055,
      gateway: 3000,
    },
    logLevel: 'silent',
    host,
    demoPassword: randomBytes(12).toString('base64url'),
  };
  return serviceEnv(name, ctx, overrides);
}

const CONFIGS: Record<ServiceName, (source: NodeJS.ProcessEnv) => unknown> = {
  catalog: catalogConfig,
  beneficiaries: beneficiariesConfig,
  orders: ordersConfig,
  ledger: ledgerConfig,
  licensing: licensingConfig,
  gateway: gatewayConfig,
};

/** The variables named by the ConfigError `load` throws; [] when it loads. */
function refused(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (err) {
    if (err instanceof ConfigError) {
      return err.problems.map((p) => p.name);
    }
    throw err;
  }
}

const PUBLISHED_DB_URL = (name: string) =>
  `postgres://yugong:dev-only-postgres-password@postgres:5432/yugong_${name}`;

/** Every published default each service reads: [service, variable, value]. */
const PUBLISHED_DEFAULTS: Array<[ServiceName, string, string]> = [
  ['gateway', 'JWT_SECRET', COMPOSE_JWT_SECRET],
  ['gateway', 'ADMIN_PASSWORD', 'dev-only-admin-password'],
  ['gateway', 'DEMO_PASSWORD', 'dev-only-demo-password'],
  ['gateway', 'DEMO_PASSWORD', 'yugong-demo-2020'],
  ...(['catalog', 'beneficiaries', 'orders', 'ledger', 'licensing', 'gateway'] as const).flatMap((name) => [
    [name, 'DATABASE_URL', PUBLISHED_DB_URL(name)] as [ServiceName, string, string],
  ]),
  ['beneficiaries', 'PII_ENCRYPTION_KEYS', 'k1:dev-only-pii-encryption-key-change-me-00000'],
  ['beneficiaries', 'PII_HASH_KEY', 'dev-only-pii-hash-key-change-me-0123456789'],
];

describe('security: no known secret in a deployment', () => {
  describe('a token signed with the compose default secret', () => {
    it('cannot be accepted anywhere: a gateway given that secret on 0.0.0.0 refuses to start, naming JWT_SECRET', () => {
      const env = launchEnv('gateway', '0.0.0.0', { JWT_SECRET: COMPOSE_JWT_SECRET });

      expect(() => gatewayConfig(env)).toThrow(ConfigError);
      expect(() => gatewayConfig(env)).toThrow(
        'JWT_SECRET: is a published default value; set your own (openssl rand -base64 48) or bind to 127.0.0.1',
      );
    });

    it('is only a local matter: on 127.0.0.1 (as npm start binds) the same gateway starts', () => {
      const env = launchEnv('gateway', '127.0.0.1', { JWT_SECRET: COMPOSE_JWT_SECRET });

      expect(gatewayConfig(env).JWT_SECRET).toBe(COMPOSE_JWT_SECRET);
    });

    it.each(PUBLISHED_DEFAULTS)(
      '%s refuses the published %s on 0.0.0.0 and ::, not on ::1',
      (name, variable, value) => {
        const config = CONFIGS[name];
        const overrides = { [variable]: value, SEED_DEMO: 'true' };

        expect(refused(() => config(launchEnv(name, '0.0.0.0', overrides)))).toEqual([variable]);
        expect(refused(() => config(launchEnv(name, '::', overrides)))).toEqual([variable]);
        expect(refused(() => config(launchEnv(name, '::1', overrides)))).toEqual([]);
        expect(refused(() => config(launchEnv(name, '0.0.0.0', { SEED_DEMO: 'true' })))).toEqual([]);
      },
    );

    it.each(Object.keys(CONFIGS) as ServiceName[])(
      '%s refuses every published secret at once, naming each',
      (name) => {
        const overrides = Object.fromEntries(
          PUBLISHED_DEFAULTS.filter(([service]) => service === name).map(([, variable, value]) => [
            variable,
            value,
          ]),
        );
        const expected = [...new Set(PUBLISHED_DEFAULTS.filter(([s]) => s === name).map(([, v]) => v))];

        expect(refused(() => CONFIGS[name](launchEnv(name, '0.0.0.0', overrides))).sort()).toEqual(
          expected.sort(),
        );
      },
    );

    it.each(Object.keys(CONFIGS) as ServiceName[])(
      '%s, deployed from an old file with the shared SERVICE_TOKEN and no key of its own, refuses to start naming SERVICE_KEY',
      (name) => {
        const { SERVICE_KEY: _none, ...env } = launchEnv(name, '0.0.0.0', {
          SERVICE_TOKEN: 'dev-only-service-token-change-me',
        });

        expect(refused(() => CONFIGS[name](env))).toEqual(['SERVICE_KEY']);
      },
    );

    it('a gateway seeding the demo accounts needs a demo password of its own', () => {
      const { DEMO_PASSWORD: _none, ...env } = launchEnv('gateway', '0.0.0.0', { SEED_DEMO: 'true' });

      expect(refused(() => gatewayConfig(env))).toEqual(['DEMO_PASSWORD']);
      expect(refused(() => gatewayConfig({ ...env, SEED_DEMO: 'false' }))).toEqual([]);
    });
  });

  describe('through the gateway', () => {
    let platform: Platform;
    let gatewaySql: Client;
    let ordersSql: Client;
    let adminId: string;

    const http = () => platform.http;

    /** Everything the attacks below could write: users, and orders of any buyer. */
    async function written() {
      const [users, orders] = await Promise.all([
        gatewaySql.query<{ n: number }>('select count(*)::int as n from app_user'),
        ordersSql.query<{ n: number }>('select count(*)::int as n from customer_order'),
      ]);
      return { users: users.rows[0].n, orders: orders.rows[0].n };
    }

    function tokenSignedWith(secret: string, userId: string, role: 'admin' | 'consumer') {
      return new TokenService({ secret, ttlSeconds: 3_600, issuer: 'yugong' }).issue({
        userId,
        role,
        producerIds: [],
      });
    }

    async function login(email: string, password: string) {
      const { headers, user } = await signInAs(platform, { email, password });
      return { token: headers.authorization.replace(/^Bearer /, ''), id: user.id };
    }

    beforeAll(async () => {
      platform = await startPlatform(
        'security_secrets',
        {
          RATE_LIMIT_PER_MINUTE: '100000',
          AUTH_RATE_LIMIT_PER_MINUTE: '100000',
          // A gateway re-reads a signed-in user at most this often: a deleted account is out by then.
          SESSION_RECHECK_SECONDS: '1',
        },
        { redis: false },
      );
      gatewaySql = new Client({ connectionString: platform.gatewayDatabaseUrl });
      ordersSql = new Client({ connectionString: platform.ordersDatabaseUrl });
      await Promise.all([gatewaySql.connect(), ordersSql.connect()]);
      adminId = (await login('admin@example.com', DEMO_PASSWORD)).id;
    });

    afterAll(async () => {
      await Promise.all([gatewaySql?.end(), ordersSql?.end()]);
      await platform?.stop();
    });

    describe('a token signed with the compose default secret', () => {
      it.each([
        ['the compose default secret', COMPOSE_JWT_SECRET],
        ['any secret but the platform own', randomBytes(48).toString('base64url')],
      ])('signed with %s, for the real admin, is 401 and creates no account', async (_name, secret) => {
        expect(secret).not.toBe(JWT_SECRET);
        const { accessToken } = await tokenSignedWith(secret, adminId, 'admin');
        const before = await written();

        const res = await request(http())
          .post('/api/v1/users')
          .set('authorization', `Bearer ${accessToken}`)
          .send({
            email: `forged-${randomUUID()}@example.com`,
            name: 'Forged',
            password: 'forged-password-1',
            role: 'admin',
          });

        expect([res.status, res.body.error]).toEqual([401, 'UNAUTHENTICATED']);
        expect(await written()).toEqual(before);
      });
    });

    describe('a token for a deleted user', () => {
      it('is 401 on every route, reads nothing and orders nothing', async () => {
        const email = `deleted-${randomUUID()}@example.com`;
        const password = 'deleted-user-password-1';
        await request(http())
          .post('/api/v1/auth/register')
          .send({ email, name: 'Gone', password })
          .expect(202);
        const user = await login(email, password);
        const bearer = { authorization: `Bearer ${user.token}` };
        await request(http()).get('/api/v1/me').set(bearer).expect(200);

        await gatewaySql.query('delete from app_user where id = $1', [user.id]);
        await new Promise((resolve) => setTimeout(resolve, 1_100)); // past SESSION_RECHECK_SECONDS
        const before = await written();

        const me = await request(http()).get('/api/v1/me').set(bearer);
        const products = await request(http()).get('/api/v1/products').set(bearer);
        const checkout = await request(http())
          .post('/api/v1/checkout')
          .set(bearer)
          .set('Idempotency-Key', `deleted-${randomUUID()}`)
          .send({ paymentMethod: 'manual' });
        const cart = await request(http())
          .post('/api/v1/cart/items')
          .set(bearer)
          .send({ productId: randomUUID(), quantity: 1 });

        for (const res of [me, products, checkout, cart]) {
          expect([res.status, res.body.error]).toEqual([401, 'UNAUTHENTICATED']);
        }
        expect(await written()).toEqual(before);
        const orders = await ordersSql.query('select id from customer_order where buyer_id = $1', [user.id]);
        expect(orders.rows).toEqual([]);
      });

      it('signed with the platform own secret for a subject that never existed, is 401 and creates no account', async () => {
        const { accessToken } = await tokenSignedWith(JWT_SECRET, randomUUID(), 'admin');
        const before = await written();

        const res = await request(http())
          .post('/api/v1/users')
          .set('authorization', `Bearer ${accessToken}`)
          .send({
            email: `made-up-${randomUUID()}@example.com`,
            name: 'Made up',
            password: 'made-up-password-1',
            role: 'admin',
          });

        expect([res.status, res.body.error]).toEqual([401, 'UNAUTHENTICATED']);
        expect(await written()).toEqual(before);
      });

      it('a subject that is not a user id at all is 401, not a database error', async () => {
        const { accessToken } = await tokenSignedWith(JWT_SECRET, 'not-a-uuid', 'consumer');

        const res = await request(http()).get('/api/v1/me').set('authorization', `Bearer ${accessToken}`);

        expect([res.status, res.body.error]).toEqual([401, 'UNAUTHENTICATED']);
      });
    });
  });
});
