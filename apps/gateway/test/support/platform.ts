import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, freePort, testRedisUrl, uniqueRedisPrefix } from '@yugong/shared/testing';
// e2e tests boot every service in this process, as `npm start` boots them in separate ones.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startCatalog } from '../../../catalog/src/catalog.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { catalogConfig } from '../../../catalog/src/config/catalog.config';
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
  gatewayDatabaseUrl: string;
  stop(): Promise<void>;
}

/** Boots catalog and the gateway (demo data seeded) on fresh databases and a private Redis prefix. */
export async function startPlatform(label: string, env: Record<string, string> = {}): Promise<Platform> {
  const catalogDb = await createTestDatabase(`${label}_catalog`);
  const gatewayDb = await createTestDatabase(`${label}_gateway`);
  const redisUrl = testRedisUrl();
  const prefix = uniqueRedisPrefix(label);
  const port = await freePort();
  const shared = {
    SERVICE_TOKEN,
    SEED_DEMO: 'true',
    LOG_LEVEL: 'silent',
    REDIS_KEY_PREFIX: prefix,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  };
  const catalog = (await startCatalog(
    catalogConfig({
      ...shared,
      DATABASE_URL: catalogDb.url,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
    }),
  ))!;
  const gateway = (await startGateway(
    gatewayConfig({
      ...shared,
      DATABASE_URL: gatewayDb.url,
      CATALOG_GRPC_URL: `127.0.0.1:${port}`,
      JWT_SECRET: 'e2e-jwt-secret-0123456789-0123456789',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: DEMO_PASSWORD,
      DEMO_PASSWORD,
      ...env,
    }),
    { listen: false },
  ))!;
  return {
    app: gateway.app,
    http: gateway.app.getHttpServer(),
    catalogDatabaseUrl: catalogDb.url,
    gatewayDatabaseUrl: gatewayDb.url,
    stop: async () => {
      await gateway.close();
      await catalog.close();
      await gatewayDb.drop();
      await catalogDb.drop();
    },
  };
}
