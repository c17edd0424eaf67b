import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, freePort, testRedisUrl, uniqueRedisPrefix } from '@yugong/shared/testing';
import { randomBytes } from 'node:crypto';
// e2e tests boot every service in this process, as `npm start` boots them in separate ones.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startBeneficiaries } from '../../../beneficiaries/src/beneficiaries.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { beneficiariesConfig } from '../../../beneficiaries/src/config/beneficiaries.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startCatalog } from '../../../catalog/src/catalog.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { catalogConfig } from '../../../catalog/src/config/catalog.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ordersConfig } from '../../../orders/src/config/orders.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startOrders } from '../../../orders/src/orders.bootstrap';
import { gatewayConfig } from '../../src/config/gateway.config';
import { startGateway } from '../../src/gateway.bootstrap';

export const DEMO_PASSWORD = 'demo-password-for-tests';
const SERVICE_TOKEN = 'e2e-service-token-0123456789';

/** Every service of the platform, running against fresh databases. */
export interface Platform {
  app: NestFastifyApplication;
  /** The HTTP server to hand to supertest. */
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  catalogDatabaseUrl: string;
  beneficiariesDatabaseUrl: string;
  gatewayDatabaseUrl: string;
  ordersDatabaseUrl: string;
  /** Where the gateway would listen with `listen: true`. */
  gatewayPort: number;
  stop(): Promise<void>;
}

/**
 * Boots beneficiaries, catalog, orders (with Redis) and the gateway (demo data seeded) on fresh
 * databases and a private Redis prefix. `env` adds to the gateway's environment, `ordersEnv` to
 * the orders service's. `listen: true` opens the gateway on `gatewayPort` (for a client in another
 * process).
 */
export async function startPlatform(
  label: string,
  env: Record<string, string> = {},
  options: { listen?: boolean; ordersEnv?: Record<string, string> } = {},
): Promise<Platform> {
  const [catalogDb, beneficiariesDb, gatewayDb, ordersDb] = await Promise.all([
    createTestDatabase(`${label}_catalog`),
    createTestDatabase(`${label}_register`),
    createTestDatabase(`${label}_gateway`),
    createTestDatabase(`${label}_orders`),
  ]);
  const redisUrl = testRedisUrl();
  const prefix = uniqueRedisPrefix(label);
  const port = await freePort();
  const registerPort = await freePort();
  const gatewayPort = await freePort();
  const ordersPort = await freePort();
  const shared = {
    SERVICE_TOKEN,
    SEED_DEMO: 'true',
    LOG_LEVEL: 'silent',
    REDIS_KEY_PREFIX: prefix,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  };
  const beneficiaries = (await startBeneficiaries(
    beneficiariesConfig({
      ...shared,
      DATABASE_URL: beneficiariesDb.url,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(registerPort),
      PII_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      PII_ACTIVE_KEY_ID: 'k1',
      PII_HASH_KEY: randomBytes(32).toString('base64'),
    }),
  ))!;
  const catalog = (await startCatalog(
    catalogConfig({
      ...shared,
      DATABASE_URL: catalogDb.url,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
      BENEFICIARIES_GRPC_URL: `127.0.0.1:${registerPort}`,
    }),
  ))!;
  // Carts and checkout locks need Redis: without it there is no orders service (its tests skip).
  const orders = redisUrl
    ? (await startOrders(
        ordersConfig({
          ...shared,
          DATABASE_URL: ordersDb.url,
          REDIS_URL: redisUrl,
          GRPC_HOST: '127.0.0.1',
          GRPC_PORT: String(ordersPort),
          CATALOG_GRPC_URL: `127.0.0.1:${port}`,
          ...options.ordersEnv,
        }),
      ))!
    : undefined;
  const gateway = (await startGateway(
    gatewayConfig({
      ...shared,
      DATABASE_URL: gatewayDb.url,
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      CATALOG_GRPC_URL: `127.0.0.1:${port}`,
      BENEFICIARIES_GRPC_URL: `127.0.0.1:${registerPort}`,
      ORDERS_GRPC_URL: `127.0.0.1:${ordersPort}`,
      JWT_SECRET: 'e2e-jwt-secret-0123456789-0123456789',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: DEMO_PASSWORD,
      DEMO_PASSWORD,
      ...env,
    }),
    { listen: options.listen ?? false },
  ))!;
  return {
    app: gateway.app,
    http: gateway.app.getHttpServer(),
    catalogDatabaseUrl: catalogDb.url,
    beneficiariesDatabaseUrl: beneficiariesDb.url,
    gatewayDatabaseUrl: gatewayDb.url,
    ordersDatabaseUrl: ordersDb.url,
    gatewayPort,
    stop: async () => {
      await gateway.close();
      await orders?.close();
      await catalog.close();
      await beneficiaries.close();
      await Promise.all([gatewayDb.drop(), catalogDb.drop(), beneficiariesDb.drop(), ordersDb.drop()]);
    },
  };
}
